"""Converting a lead into a customer: the lead's custom values carried over to the
customer fields of the same key, the customer created through the customers domain
(validation, dedup keys), the lead marked converted and its hold ended, both timelines
linked, the funnel step and the event written, all in one transaction.

A converted lead keeps its holder as owner: it stays in that staff member's lead list
(and out of its pool's open reach, where every member of the pool would see it); a
converted lead does not count against holding caps (`holding.held_count`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.auth import Actor
from api.customers.models import Customer
from api.customers.service import records as customer_records
from api.customers.service import timeline as customer_timeline
from api.db import atomic
from api.errors import Conflict
from api.leads.events import emit_lead
from api.leads.models import Lead, LeadAssignment, LeadTimelineEvent
from api.leads.service import records as lead_records
from api.leads.service import recycling, timeline
from api.metadata.service import current_fields, values_at_version
from api.relay import encode_id

# The lead timeline kind of a follow-up (`follow_ups.add_follow_up`), counted into the
# customer's "converted_from_lead" entry.
FOLLOW_UP_EVENT = "follow_up"


def _refuse(lead: Lead) -> None:
    """CONFLICT for a lead that cannot be converted (already converted, or invalid)."""
    if lead.status == "converted" or lead.customer_id is not None:
        raise Conflict(
            "The lead is already converted",
            path=["input", "id"],
            reason="converted",
            customerId=encode_id("Customer", lead.customer_id) if lead.customer_id else None,
        )
    if lead.status == "invalid":
        raise Conflict(
            "An invalid lead cannot be converted; mark it valid first",
            path=["input", "id"],
            reason="invalid",
        )


async def carried_values(tenant_id: int, lead: Lead) -> tuple[dict[str, Any], list[str]]:
    """The lead's custom values that customer fields of the same key accept, and the
    keys left behind (no such customer field, an archived one, or a value it rejects)."""
    lead_version, lead_fields = await current_fields(tenant_id, lead_records.KIND)
    values = await values_at_version(tenant_id, lead_records.KIND, lead, lead_version, lead_fields)
    _, customer_fields = await current_fields(tenant_id, customer_records.KIND)
    carried: dict[str, Any] = {}
    left: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        spec = customer_fields.fields.get(key)
        if spec is None or spec.archived or customer_fields.validate_field(key, value):
            left.append(key)
        else:
            carried[key] = value
    return carried, sorted(left)


async def convert_lead(
    actor: Actor,
    lead_id: int,
    *,
    name: str | None = None,
    fields: dict[str, Any] | None = None,
    owner_id: int | None = None,
) -> tuple[Lead, Customer]:
    """Convert a lead into a new customer (its holder, or a caller with leads:assign;
    customers:write either way). The customer gets the lead's name, source and the custom
    values its fields accept (see `carried_values`); `name`, `fields` (a key set to None
    drops a carried value) and `owner_id` override. The owner defaults to the lead's
    holder, else the caller. All or nothing: a dedup key another customer holds is a
    CONFLICT (with `existingId` when the caller may see it) and leaves the lead as it
    was; so does a lead already converted, invalid, or changed meanwhile."""
    actor.require("leads:write")
    actor.require("customers:write")
    lead = await lead_records.get_lead(actor, lead_id)
    lead_records.require_holder_or_assigner(actor, lead)
    _refuse(lead)
    carried, left = await carried_values(actor.tenant_id, lead)
    values = {**carried, **(fields or {})}
    left = [key for key in left if key not in values]
    holder = lead.owner_id
    # Who converted it, for the funnel and as the lead's owner from now on.
    converter = holder if holder is not None else actor.staff_id
    changes = customer_records.CustomerChanges(
        name=name if name is not None else lead.name,
        owner_id=owner_id if owner_id is not None else converter,
        set_owner=True,
        source=lead.source,
        fields={k: v for k, v in values.items() if v is not None},
    )
    assignment_id = lead.assignment_id
    async with atomic():
        customer = await customer_records.create_customer(actor, changes)
        now = datetime.now(UTC)
        converted = await Lead.filter(
            id=lead.id, status=lead.status, customer_id=None, assignment_id=assignment_id
        ).update(
            status="converted",
            customer_id=customer.id,
            owner_id=converter,
            assignment_id=None,
            updated_at=now,
        )
        if not converted:  # converted, marked or reassigned since it was read
            _refuse(await Lead.get(id=lead.id))
            raise Conflict("The lead changed meanwhile; try again", reason="changed")
        lead.status, lead.customer_id, lead.owner_id = "converted", customer.id, converter
        lead.assignment_id, lead.updated_at = None, now
        if assignment_id is not None:  # as holding.end_hold does, but keeping the owner
            await LeadAssignment.filter(id=assignment_id, ended_at=None).update(
                ended_at=now, end_reason="converted"
            )
            recycling.unwatch(lead.tenant_id, assignment_id, "converted")
        follow_ups = await LeadTimelineEvent.filter(lead_id=lead.id, kind=FOLLOW_UP_EVENT).count()
        await timeline.record(
            actor, lead, "converted", {"customerId": customer.id}, assignment_id=assignment_id
        )
        await customer_timeline.record(
            actor,
            actor.tenant_id,
            customer.id,
            "converted_from_lead",
            {"leadId": lead.id, "source": lead.source, "followUps": follow_ups, "leftOut": left},
        )
        await timeline.transition(lead, "converted", converter)
        await emit_lead(actor, "lead.converted", lead)
    return lead, customer
