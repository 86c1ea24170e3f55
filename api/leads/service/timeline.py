"""The lead timeline and funnel transitions: appended inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from api.auth import Actor
from api.leads.models import Lead, LeadTimelineEvent, LeadTransition


async def record(
    actor: Actor | None,
    lead: Lead,
    kind: str,
    data: dict[str, Any] | None = None,
    *,
    assignment_id: int | None = None,
    staff_id: int | None = None,
) -> LeadTimelineEvent:
    """Append an event to a lead's timeline; `staff_id` defaults to the actor's."""
    return await LeadTimelineEvent.create(
        tenant_id=lead.tenant_id,
        lead_id=lead.id,
        assignment_id=assignment_id,
        kind=kind,
        staff_id=staff_id if staff_id is not None else (actor.staff_id if actor else None),
        data=data or {},
    )


async def transition(lead: Lead, step: str, staff_id: int | None) -> None:
    """Count a funnel step of the lead, for the holder `staff_id` and the lead's channel."""
    await LeadTransition.create(
        tenant_id=lead.tenant_id, lead_id=lead.id, step=step, staff_id=staff_id, source=lead.source
    )
