"""The customer timeline: one table of everything that happened to a customer."""

from __future__ import annotations

from typing import Any

from api.auth import Actor
from api.customers.models import TimelineEvent


async def record(
    actor: Actor | None,
    tenant_id: int,
    customer_id: int,
    kind: str,
    data: dict[str, Any] | None = None,
) -> TimelineEvent:
    """Append an event to a customer's timeline (inside the caller's transaction)."""
    return await TimelineEvent.create(
        tenant_id=tenant_id,
        customer_id=customer_id,
        kind=kind,
        staff_id=actor.staff_id if actor else None,
        data=data or {},
    )
