"""What the holder does with a lead that recycle rules count: follow-ups (a call, visit,
chat or note, with its content), materials sent and sales stages reached. Each is a
timeline entry of the current hold (`assignment_id`), a `lead.followed_up` event, and,
after commit, a signal to the hold's recycle workflow.

The lead's row is written first with an update conditional on the hold it was read
with, so an action recorded while the hold ends (release, recycle) either lands in that
hold before it ends or fails with CONFLICT; it never slips into the wrong hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.auth import Actor
from api.db import atomic
from api.errors import Conflict, FieldErrors
from api.leads.events import emit_lead
from api.leads.models import Lead, LeadTimelineEvent
from api.leads.recycle import FOLLOW_UP_KINDS, Action
from api.leads.service import recycling, timeline
from api.leads.service.records import get_lead, require_holder_or_assigner

MAX_CONTENT = 5000
MAX_DETAIL = 64  # a material's name or type, a stage key (as in the policy schema)
RECORDED_KINDS = ("material_sent", "stage_reached")
_DETAIL_KEY = {"material_sent": "material", "stage_reached": "stage"}


def _now() -> datetime:
    return datetime.now(UTC)


async def _lead_to_act_on(actor: Actor, lead_id: int) -> Lead:
    """The lead, if the actor may see it and is its holder or may assign leads."""
    actor.require("leads:write")
    lead = await get_lead(actor, lead_id)
    require_holder_or_assigner(actor, lead)
    return lead


async def _append(
    actor: Actor,
    lead: Lead,
    kind: str,
    data: dict[str, Any],
    action: Action,
    values: dict[str, Any],
) -> LeadTimelineEvent:
    async with atomic():
        changed = await Lead.filter(id=lead.id, assignment_id=lead.assignment_id).update(**values)
        if not changed:
            raise Conflict("The lead changed hands meanwhile; try again", reason="changed")
        for key, value in values.items():
            setattr(lead, key, value)
        event = await timeline.record(actor, lead, kind, data, assignment_id=lead.assignment_id)
        await emit_lead(
            actor,
            "lead.followed_up",
            lead,
            extra={
                "action": {
                    "kind": action.kind,
                    "detail": action.detail,
                    "length": action.length,
                    "timelineId": event.id,
                }
            },
        )
        if lead.assignment_id is not None:
            recycling.notify_action(
                lead.tenant_id,
                lead.assignment_id,
                Action(
                    kind=action.kind,
                    at=event.created_at,
                    detail=action.detail,
                    length=action.length,
                    id=event.id,
                ),
            )
    return event


async def add_follow_up(actor: Actor, lead_id: int, kind: str, content: str) -> LeadTimelineEvent:
    """Record a follow-up (call, visit, chat or note) of a lead: its holder, or someone
    who may assign leads. Sets the lead's `last_follow_up_at`; counts for the hold's
    recycle rule if its kind and length make it a valid follow-up there."""
    lead = await _lead_to_act_on(actor, lead_id)
    errors = FieldErrors()
    content = (content or "").strip()
    errors.check(
        kind in FOLLOW_UP_KINDS,
        ("kind",),
        "enum",
        f"Kind is one of {', '.join(FOLLOW_UP_KINDS)}",
    )
    errors.check(
        0 < len(content) <= MAX_CONTENT,
        ("content",),
        "length",
        f"Content must be 1-{MAX_CONTENT} characters",
    )
    errors.raise_if_any()
    now = _now()
    return await _append(
        actor,
        lead,
        "follow_up",
        {"kind": kind, "content": content, "length": len(content)},
        Action(kind="follow_up", at=now, detail=kind, length=len(content)),
        {"last_follow_up_at": now, "updated_at": now},
    )


async def record_action(actor: Actor, lead_id: int, kind: str, detail: str) -> LeadTimelineEvent:
    """Record that a material was sent (`detail`: its name or type) or a sales stage
    reached (`detail`: the stage key) for a lead; counts for staged recycle rules."""
    lead = await _lead_to_act_on(actor, lead_id)
    errors = FieldErrors()
    detail = (detail or "").strip()
    errors.check(
        kind in RECORDED_KINDS, ("kind",), "enum", f"Kind is one of {', '.join(RECORDED_KINDS)}"
    )
    errors.check(
        0 < len(detail) <= MAX_DETAIL,
        ("detail",),
        "length",
        f"Detail must be 1-{MAX_DETAIL} characters",
    )
    errors.raise_if_any()
    return await _append(
        actor,
        lead,
        kind,
        {_DETAIL_KEY[kind]: detail},
        Action(kind=kind, at=_now(), detail=detail),
        # Rewriting the hold's own value: the conditional row write, without a change.
        {"assignment_id": lead.assignment_id},
    )
