"""Converting a lead into a customer: values carried over by key, all or nothing on a
dedup CONFLICT, both timelines linked, no second conversion, and who may convert."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.customers.models import Customer, TimelineEvent
from api.customers.service.records import CustomerChanges, create_customer
from api.errors import Conflict, Forbidden, NotFound
from api.events.models import Event
from api.leads.models import Lead, LeadAssignment, LeadTimelineEvent, LeadTransition
from api.leads.service import follow_ups, holding
from api.leads.service.conversion import convert_lead
from api.metadata.service import publish, save_draft
from api.relay import encode_id
from tests.conftest import Org
from tests.customers.helpers import FIELDS as CUSTOMER_FIELDS
from tests.leads.helpers import actor, pool_org, waiting_leads

LEAD_FIELDS: dict[str, Any] = {
    "sections": [],
    "fields": [
        {"key": "phone", "label": "Phone", "type": "phone", "unique": True},
        {
            "key": "level",  # one option more than the customer's A, B, C
            "label": "Level",
            "type": "single_select",
            "rules": {"options": [{"value": v, "label": v} for v in "ABCD"]},
        },
        {"key": "budget", "label": "Budget", "type": "number"},
        {"key": "wechat", "label": "WeChat", "type": "text"},  # no customer field
    ],
}
PHONE = "+8613800138000"


async def _org_with_fields() -> tuple[Org, Any]:
    org, pool = await pool_org()
    admin = await actor(org, "admin")
    for kind, document in (("lead_fields", LEAD_FIELDS), ("customer_fields", CUSTOMER_FIELDS)):
        await save_draft(admin, kind, document)
        await publish(admin, kind, None)
    return org, pool


async def _held_lead(org: Org, pool: Any, who: str = "staff", **fields: Any) -> Lead:
    [lead] = await waiting_leads(org, pool, 1, **fields)
    await holding.claim(await actor(org, who), lead.id)
    return await Lead.get(id=lead.id)


async def _trail(lead_id: int) -> tuple[list, list, list, int]:
    """What a conversion writes beside the customer: lead timeline kinds, transitions,
    lead event types, and customers of the lead's tenant."""
    lead = await Lead.get(id=lead_id)
    return (
        await LeadTimelineEvent.filter(lead_id=lead_id)
        .order_by("id")
        .values_list("kind", flat=True),
        await LeadTransition.filter(lead_id=lead_id).order_by("id").values_list("step", flat=True),
        await Event.filter(entity="lead", entity_id=lead_id)
        .order_by("id")
        .values_list("type", flat=True),
        await Customer.filter(tenant_id=lead.tenant_id).count(),
    )


async def test_convert_carries_values_by_key_and_links_both_timelines() -> None:
    org, pool = await _org_with_fields()
    lead = await _held_lead(org, pool, phone=PHONE, level="D", budget=5000, wechat="stan88")
    stan = await actor(org, "staff")
    assignment_id = lead.assignment_id
    await follow_ups.add_follow_up(stan, lead.id, "call", "Interested, call back Monday")
    await follow_ups.add_follow_up(stan, lead.id, "visit", "Met at the office")

    converted, customer = await convert_lead(stan, lead.id, fields={"vip": True})

    # level "D" is no customer option and wechat no customer field: both stay behind
    assert customer.fields == {"phone": PHONE, "budget": 5000, "vip": True}
    assert (customer.name, customer.source, customer.owner_id) == ("Lead 0", "web", stan.staff_id)
    row = await Lead.get(id=lead.id)
    assert (row.status, row.customer_id, row.owner_id, row.assignment_id) == (
        "converted",
        customer.id,
        stan.staff_id,  # the converted lead stays in its holder's list
        None,
    )
    assert converted.status == "converted" and converted.customer_id == customer.id
    hold = await LeadAssignment.get(id=assignment_id)
    assert hold.end_reason == "converted" and hold.ended_at is not None
    assert await holding.held_count(org.tenant.id, pool.id, stan.staff_id) == 0

    lead_event = await LeadTimelineEvent.get(lead_id=lead.id, kind="converted")
    assert lead_event.data == {"customerId": customer.id}
    assert lead_event.assignment_id == assignment_id
    customer_event = await TimelineEvent.get(customer_id=customer.id, kind="converted_from_lead")
    assert customer_event.data == {
        "leadId": lead.id,
        "source": "web",
        "followUps": 2,
        "leftOut": ["level", "wechat"],
    }
    step = await LeadTransition.get(lead_id=lead.id, step="converted")
    assert (step.staff_id, step.source) == (stan.staff_id, "web")
    event = await Event.get(entity="lead", entity_id=lead.id, type="lead.converted")
    assert event.payload["status"] == "converted"
    assert event.payload["customerId"] == encode_id("Customer", customer.id)
    assert await Event.filter(entity="customer", entity_id=customer.id).exists()


async def test_explicit_values_override_and_drop_carried_ones() -> None:
    org, pool = await _org_with_fields()
    lead = await _held_lead(org, pool, phone=PHONE, level="B", budget=10)
    stan = await actor(org, "staff")
    _, customer = await convert_lead(
        stan, lead.id, name="ACME Ltd", fields={"level": "C", "budget": None}
    )
    assert customer.name == "ACME Ltd"
    assert customer.fields == {"phone": PHONE, "level": "C"}


async def test_dedup_conflict_leaves_nothing_written() -> None:
    org, pool = await _org_with_fields()
    lead = await _held_lead(org, pool, phone=PHONE, budget=1)
    admin, stan = await actor(org, "admin"), await actor(org, "staff")
    taken = await create_customer(admin, CustomerChanges(name="Twin", fields={"phone": PHONE}))
    before, trail = await Lead.get(id=lead.id), await _trail(lead.id)
    linked = await TimelineEvent.filter(kind="converted_from_lead").count()

    with pytest.raises(Conflict) as failed:
        await convert_lead(admin, lead.id)
    assert failed.value.extensions["path"] == ["input", "fields", "phone"]
    assert failed.value.extensions["existingId"] == encode_id("Customer", taken.id)
    after = await Lead.get(id=lead.id)
    assert (after.status, after.owner_id, after.assignment_id, after.customer_id) == (
        before.status,
        before.owner_id,
        before.assignment_id,
        None,
    )
    assert after.updated_at == before.updated_at
    assert (await LeadAssignment.get(id=before.assignment_id)).ended_at is None
    assert await _trail(lead.id) == trail  # no timeline, step, event or customer
    assert await TimelineEvent.filter(kind="converted_from_lead").count() == linked

    # the holder leaves the duplicate phone out and converts after all
    _, customer = await convert_lead(stan, lead.id, fields={"phone": None})
    assert customer.fields == {"budget": 1}


async def test_converting_twice_or_an_invalid_lead_is_a_conflict() -> None:
    org, pool = await _org_with_fields()
    stan = await actor(org, "staff")
    lead = await _held_lead(org, pool)
    await convert_lead(stan, lead.id)
    count = await Customer.filter(tenant_id=org.tenant.id).count()
    with pytest.raises(Conflict) as failed:
        await convert_lead(stan, lead.id)
    assert failed.value.extensions["reason"] == "converted"
    assert await Customer.filter(tenant_id=org.tenant.id).count() == count

    other = await _held_lead(org, pool)
    await holding.mark(await actor(org, "manager"), other.id, "invalid", "wrong number")
    with pytest.raises(Conflict) as failed:
        await convert_lead(await actor(org, "admin"), other.id)
    assert failed.value.extensions["reason"] == "invalid"


async def test_concurrent_conversions_one_customer() -> None:
    org, pool = await _org_with_fields()
    lead = await _held_lead(org, pool)
    stan, manager = await actor(org, "staff"), await actor(org, "manager")
    before = await Customer.filter(tenant_id=org.tenant.id).count()

    async def attempt(who: Any) -> str:
        try:
            await convert_lead(who, lead.id)
            return "ok"
        except Conflict as exc:
            return exc.extensions["reason"]

    results = await asyncio.gather(attempt(stan), attempt(manager))
    assert sorted(results) == ["converted", "ok"]
    assert await Customer.filter(tenant_id=org.tenant.id).count() == before + 1
    assert await LeadTransition.filter(lead_id=lead.id, step="converted").count() == 1


async def test_who_may_convert() -> None:
    org, pool = await _org_with_fields()
    lead = await _held_lead(org, pool)
    stan = await actor(org, "staff")
    with pytest.raises(NotFound):  # Service: not even visible
        await convert_lead(await actor(org, "outsider"), lead.id)
    with pytest.raises(NotFound):  # Sales, but not the holder
        await convert_lead(await actor(org, "staff2"), lead.id)
    with pytest.raises(Forbidden):  # reads leads, writes no customers
        await convert_lead(await actor(org, "inspector"), lead.id)
    with pytest.raises(Forbidden):  # writes customers, not leads
        await convert_lead(await actor(org, "agent"), lead.id)
    [waiting] = await waiting_leads(org, pool, 1)
    with pytest.raises(Forbidden):  # visible in the pool, but only a holder converts
        await convert_lead(stan, waiting.id)
    assert (await Lead.get(id=lead.id)).status == "new"

    # a manager converts a lead of their subtree: the holder owns customer and step
    _, customer = await convert_lead(await actor(org, "manager"), lead.id)
    assert customer.owner_id == stan.staff_id
    step = await LeadTransition.get(lead_id=lead.id, step="converted")
    assert step.staff_id == stan.staff_id
