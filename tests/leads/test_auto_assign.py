"""Auto-assignment from a pool through the shared assignment module: weights hold over
10,000 leads, round robin is even, caps and per-staff opt-outs are respected, and a pool
that assigns automatically takes new leads at once."""

from __future__ import annotations

import time

from api.leads.models import Lead
from api.leads.service import holding, pools, records
from api.org.models import Staff
from tests.leads.helpers import actor, pool_org, waiting_leads

SALES_STAFF = ("manager", "staff", "staff2")  # the pool is bound to Sales


async def _bulk_waiting(org, pool, count: int) -> None:
    await Lead.bulk_create(
        [
            Lead(tenant_id=org.tenant.id, name=f"Bulk {i}", source="import", pool_id=pool.id)
            for i in range(count)
        ],
        batch_size=1000,
    )


async def _held(pool) -> dict[int, int]:
    rows = await Lead.filter(pool_id=pool.id, owner_id__isnull=False).values_list(
        "owner_id", flat=True
    )
    counts: dict[int, int] = {}
    for owner in rows:
        counts[owner] = counts.get(owner, 0) + 1
    return counts


async def test_weighted_over_10000_leads_within_2_percent() -> None:
    org, pool = await pool_org(strategy="weighted")
    admin = await actor(org, "admin")
    weights = {"manager": 1, "staff": 3, "staff2": 6}
    for who, weight in weights.items():
        await pools.set_member(
            admin, pool.id, org.people[who].id, pools.MemberSettings(weight=weight)
        )
    await _bulk_waiting(org, pool, 10_000)
    started = time.perf_counter()
    assigned = 0
    while assigned < 10_000:
        batch = await holding.auto_assign(admin, pool.id, 1000)
        assert batch, "auto-assignment stalled"
        assigned += len(batch)
    elapsed = time.perf_counter() - started
    held = await _held(pool)
    total = sum(weights.values())
    for who, weight in weights.items():
        share = held[org.people[who].id] / 10_000
        assert abs(share - weight / total) <= 0.02 * weight / total, (who, share, elapsed)


async def test_round_robin_is_even_and_respects_caps_and_opt_outs() -> None:
    org, pool = await pool_org(strategy="round_robin")
    admin = await actor(org, "admin")
    await waiting_leads(org, pool, 0)
    await _bulk_waiting(org, pool, 30)
    await holding.auto_assign(admin, pool.id, 30)
    held = await _held(pool)
    assert sorted(held.values()) == [10, 10, 10]

    # Stella opts out, Stan's cap is 2: the manager takes the rest
    org, pool = await pool_org(strategy="round_robin")
    admin = await actor(org, "admin")
    await pools.set_member(
        admin, pool.id, org.people["staff2"].id, pools.MemberSettings(auto_assign=False)
    )
    await pools.set_member(
        admin, pool.id, org.people["staff"].id, pools.MemberSettings(holding_cap=2)
    )
    await _bulk_waiting(org, pool, 10)
    assigned = await holding.auto_assign(admin, pool.id, 10)
    held = await _held(pool)
    assert len(assigned) == 10
    assert held == {org.people["staff"].id: 2, org.people["manager"].id: 8}


async def test_least_loaded_fills_the_emptiest_first() -> None:
    org, pool = await pool_org(strategy="least_loaded")
    admin = await actor(org, "admin")
    first = await waiting_leads(org, pool, 4)
    await holding.assign(admin, [lead.id for lead in first], org.people["staff"].id)
    await _bulk_waiting(org, pool, 6)
    await holding.auto_assign(admin, pool.id, 6)
    held = await _held(pool)
    assert held[org.people["staff"].id] == 4  # already had 4: the others catch up first
    assert held[org.people["manager"].id] + held[org.people["staff2"].id] == 6


async def test_a_pool_that_assigns_automatically_takes_new_leads_at_once() -> None:
    org, pool = await pool_org(strategy="round_robin")
    admin = await actor(org, "admin")
    made = [
        await records.create_lead(admin, records.LeadChanges(name=f"N{i}", pool_id=pool.id))
        for i in range(3)
    ]
    owners = {lead.owner_id for lead in made}
    assert len(owners) == 3 and None not in owners
    assert set(await Staff.filter(id__in=list(owners)).values_list("name", flat=True)) == {
        "Mona Manager",
        "Stan Staff",
        "Stella Staff",
    }


async def test_leads_left_waiting_are_assigned_by_the_pools_workflow(temporal_env) -> None:
    from datetime import timedelta

    from workflows.pool_assign.starter import pool_assign_workflow_id

    org, pool = await pool_org(strategy="round_robin", holding_cap=1)
    admin = await actor(org, "admin")
    made = [
        await records.create_lead(admin, records.LeadChanges(name=f"W{i}", pool_id=pool.id))
        for i in range(4)
    ]
    assert sum(lead.owner_id is None for lead in made) == 1  # three seats, cap 1 each
    stan = await actor(org, "staff")
    held = await Lead.get(pool_id=pool.id, owner_id=stan.staff_id)
    await holding.release(stan, held.id, "wrong contact")
    assert await holding.waiting(pool).count() == 2
    handle = temporal_env.client.get_workflow_handle(
        pool_assign_workflow_id(org.tenant.id, pool.id)
    )
    await temporal_env.sleep(timedelta(minutes=20))  # a sweep or two
    for _ in range(100):
        if await holding.waiting(pool).count() == 1:
            break
        await temporal_env.sleep(timedelta(minutes=5))
    assert await holding.waiting(pool).count() == 1
    # Stan got the lead that was waiting, not the one he gave up
    [now_held] = await Lead.filter(pool_id=pool.id, owner_id=stan.staff_id)
    assert now_held.id != held.id
    assert (await holding.waiting(pool).first()).id == held.id
    # archiving the pool ends its workflow
    await pools.archive_pool(admin, pool.id)
    assert await handle.result() == "stopped"
