"""Inputs and results of the schema migration workflow and its activities."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MigrationInput:
    migration_id: int
    after_id: int = 0
    batch_size: int = 500


@dataclass
class BatchResult:
    next_after_id: int | None
    migrated: int
    failed: int
