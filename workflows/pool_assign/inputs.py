"""Inputs and results of the pool auto-assignment workflow and its activity."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PoolAssignInput:
    tenant_id: int
    pool_id: int
    interval_seconds: float = 300.0  # sweep this often when nothing wakes it
    batch: int = 200  # leads per activity call


@dataclass
class SweepResult:
    """What one sweep did: leads assigned, leads still waiting, and whether the pool
    still assigns automatically (archived or switched to manual: the workflow ends)."""

    assigned: int
    waiting: int
    active: bool
