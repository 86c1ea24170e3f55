"""Claims, caps and claim limits, settled in the database under concurrency (both
databases), and the pool's department boundary."""

from __future__ import annotations

import asyncio

import pytest

from api.errors import Conflict, NotFound, RateLimited
from api.leads.models import Lead, LeadAssignment, LeadTimelineEvent, PoolHolding
from api.leads.service import holding, records
from api.org.models import Staff
from api.org.service.actors import actor_for_staff
from tests.conftest import unique
from tests.leads.helpers import actor, pool_org, waiting_leads


async def _crowd(org, count: int, department: str = "east") -> list:
    """`count` staff members of `department` (rows only: no logins needed)."""
    rows = [
        await Staff.create(
            tenant_id=org.tenant.id,
            name=f"Claimer {i}",
            email=f"{unique('c')}@x.test",
            roles=["staff"],
            department_id=org.departments[department],
        )
        for i in range(count)
    ]
    return [await actor_for_staff(row) for row in rows]


async def test_claim_and_release_keep_the_history() -> None:
    org, pool = await pool_org()
    [lead] = await waiting_leads(org, pool, 1)
    stan = await actor(org, "staff")
    await holding.claim(stan, lead.id)
    row = await Lead.get(id=lead.id)
    assert row.owner_id == stan.staff_id and row.assignment_id is not None
    await holding.release(stan, lead.id, "not reachable")
    row = await Lead.get(id=lead.id)
    assert (row.owner_id, row.assignment_id, row.pool_id) == (None, None, pool.id)
    first = await LeadAssignment.get(lead_id=lead.id)
    assert (first.end_reason, first.end_note) == ("released", "not reachable")
    stella = await actor(org, "staff2")
    await holding.claim(stella, lead.id)
    kinds = (
        await LeadTimelineEvent.filter(lead_id=lead.id)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "claimed", "released", "claimed"]


async def test_release_needs_a_reason_and_the_holder() -> None:
    org, pool = await pool_org()
    [lead] = await waiting_leads(org, pool, 1)
    stan, stella = await actor(org, "staff"), await actor(org, "staff2")
    await holding.claim(stan, lead.id)
    with pytest.raises(Exception) as failed:
        await holding.release(stan, lead.id, "  ")
    assert failed.value.errors[0].path == ("input", "reason")
    with pytest.raises(NotFound):  # another staff member does not even see it
        await holding.release(stella, lead.id, "mine now")
    assert (await Lead.get(id=lead.id)).owner_id == stan.staff_id


async def test_staff_outside_the_pools_departments_cannot_see_or_claim() -> None:
    org, pool = await pool_org()
    [lead] = await waiting_leads(org, pool, 1)
    otto = await actor(org, "outsider")  # Service, not Sales
    assert not await records.visible_leads(otto).filter(id=lead.id).exists()
    with pytest.raises(NotFound):
        await holding.claim(otto, lead.id)
    stan = await actor(org, "staff")  # Sales East, below Sales
    assert await records.visible_leads(stan).filter(id=lead.id).exists()


async def test_100_concurrent_claims_of_one_lead_one_wins() -> None:
    org, pool = await pool_org()
    [lead] = await waiting_leads(org, pool, 1)
    crowd = await _crowd(org, 100)

    async def attempt(a):
        try:
            await holding.claim(a, lead.id)
            return "ok"
        except Conflict:
            return "CONFLICT"

    results = await asyncio.gather(*(attempt(a) for a in crowd))
    assert results.count("ok") == 1 and results.count("CONFLICT") == 99
    row = await Lead.get(id=lead.id)
    winner = crowd[results.index("ok")].staff_id
    assert row.owner_id == winner
    assert await LeadAssignment.filter(lead_id=lead.id).count() == 1


async def test_50_concurrent_claims_against_a_cap_of_10_hold_10() -> None:
    org, pool = await pool_org(holding_cap=10)
    leads = await waiting_leads(org, pool, 50)
    stan = await actor(org, "staff")

    async def attempt(lead):
        try:
            await holding.claim(stan, lead.id)
            return "ok"
        except Conflict as exc:
            assert exc.extensions["reason"] == "holdingCap"
            return "cap"

    results = await asyncio.gather(*(attempt(lead) for lead in leads))
    assert results.count("ok") == 10
    assert await Lead.filter(pool_id=pool.id, owner_id=stan.staff_id).count() == 10
    assert await LeadAssignment.filter(pool_id=pool.id).count() == 10


async def test_claims_per_day_and_least_interval() -> None:
    org, pool = await pool_org(claims_per_day=3)
    leads = await waiting_leads(org, pool, 5)
    stan = await actor(org, "staff")
    for lead in leads[:3]:
        await holding.claim(stan, lead.id)
    with pytest.raises(RateLimited) as limited:
        await holding.claim(stan, leads[3].id)
    assert 0 < limited.value.retry_after_seconds <= 86400
    assert (await Lead.get(id=leads[3].id)).owner_id is None
    # a new day in the business's time zone starts the count again
    await PoolHolding.filter(pool_id=pool.id, staff_id=stan.staff_id).update(claim_day="2000-01-01")
    await holding.claim(stan, leads[3].id)

    org, pool = await pool_org(claim_interval_seconds=3600)
    leads = await waiting_leads(org, pool, 2)
    await holding.claim(stan := await actor(org, "staff"), leads[0].id)
    with pytest.raises(RateLimited) as limited:
        await holding.claim(stan, leads[1].id)
    assert 3500 < limited.value.retry_after_seconds <= 3600


async def test_concurrent_claims_do_not_beat_the_daily_limit() -> None:
    org, pool = await pool_org(claims_per_day=5)
    leads = await waiting_leads(org, pool, 30)
    stan = await actor(org, "staff")

    async def attempt(lead):
        try:
            await holding.claim(stan, lead.id)
            return "ok"
        except RateLimited:
            return "limited"

    results = await asyncio.gather(*(attempt(lead) for lead in leads))
    assert results.count("ok") == 5
    assert await Lead.filter(pool_id=pool.id, owner_id=stan.staff_id).count() == 5


async def test_a_manager_sees_the_pools_of_its_subtree_and_their_waiting_leads() -> None:
    from api.leads.service import pools
    from tests.leads.helpers import make_pool

    org, _ = await pool_org()
    east_pool = await make_pool(org, "East pool", department_ids=[org.departments["east"]])
    [lead] = await waiting_leads(org, east_pool, 1)
    mona = await actor(org, "manager")  # heads Sales, above Sales East
    assert await pools.visible_pools(mona).filter(id=east_pool.id).exists()
    assert await records.visible_leads(mona).filter(id=lead.id).exists()
    stella = await actor(org, "staff2")  # Sales: above Sales East, not in it
    assert not await pools.visible_pools(stella).filter(id=east_pool.id).exists()
    assert not await records.visible_leads(stella).filter(id=lead.id).exists()
    with pytest.raises(NotFound):
        await holding.claim(stella, lead.id)
