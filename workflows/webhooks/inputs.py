"""Inputs and results of the webhook delivery workflow and its activities."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PumpInput:
    tenant_id: int
    endpoint_id: int
    # Give up on a delivery (dead letter, disable the endpoint) after this long.
    retry_hours: float = 24.0
    # First retry delay; each next one doubles, up to `max_backoff_seconds`.
    initial_backoff_seconds: float = 5.0
    max_backoff_seconds: float = 3600.0


@dataclass
class BatchInput:
    endpoint_id: int
    limit: int = 50


@dataclass
class BatchResult:
    active: bool
    delivery_ids: list[int]
    more: bool


@dataclass
class AttemptInput:
    delivery_id: int


@dataclass
class AttemptResult:
    # succeeded | failed | skipped | inactive (see api.events.service.delivery.Outcome)
    status: str
    status_code: int | None = None
    error: str | None = None


@dataclass
class DeadLetterInput:
    delivery_id: int
    retry_hours: float
