"""Follow-up records (call, visit, chat, note) with an optional next follow-up date."""

from __future__ import annotations

from datetime import datetime

from api.auth import Actor
from api.customers.events import emit_customer
from api.customers.models import FollowUp
from api.customers.service import timeline
from api.customers.service.records import get_customer
from api.db import atomic
from api.errors import FieldErrors

KINDS = ("call", "visit", "chat", "note")


async def add_follow_up(
    actor: Actor, customer_id: int, kind: str, content: str, next_at: datetime | None
) -> FollowUp:
    actor.require("customers:write")
    customer = await get_customer(actor, customer_id)
    errors = FieldErrors()
    errors.check(kind in KINDS, ("kind",), "enum", f"Kind is one of {', '.join(KINDS)}")
    errors.check(len(content) <= 10000, ("content",), "maxLength", "At most 10000 characters")
    errors.raise_if_any()
    async with atomic():
        row = await FollowUp.create(
            tenant_id=actor.tenant_id,
            customer_id=customer.id,
            staff_id=actor.staff_id,
            kind=kind,
            content=content,
            next_follow_up_at=next_at,
        )
        await timeline.record(
            actor,
            actor.tenant_id,
            customer.id,
            "follow_up",
            {
                "followUpId": row.id,
                "kind": kind,
                "content": content[:200],
                "nextFollowUpAt": next_at.isoformat() if next_at else None,
            },
        )
        await emit_customer(
            actor,
            "customer.followed_up",
            customer,
            version=customer.schema_version,
            extra={"followUp": {"kind": kind, "content": content}},
        )
    return row
