"""Helpers of the leads tests: an org with a pool bound to Sales, and waiting leads."""

from __future__ import annotations

from typing import Any

from api.auth import Actor
from api.leads.models import Lead, Pool
from api.leads.service import pools, records
from api.org.service.actors import actor_for_staff
from tests.conftest import Org, make_org


async def actor(org: Org, who: str) -> Actor:
    return await actor_for_staff(org.people[who])


async def make_pool(org: Org, name: str = "Sales pool", **settings: Any) -> Pool:
    """A pool bound to Sales (so Sales and Sales East staff use it; Service does not)."""
    admin = await actor(org, "admin")
    departments = settings.pop("department_ids", [org.departments["sales"]])
    changes = pools.PoolChanges(name=name, department_ids=departments, **settings)
    for key in ("holding_cap", "claims_per_day"):
        if key in settings:
            setattr(changes, f"set_{key}", True)
    return await pools.create_pool(admin, changes)


async def waiting_leads(org: Org, pool: Pool, count: int, **fields: Any) -> list[Lead]:
    """`count` leads waiting in `pool`, created by the admin."""
    admin = await actor(org, "admin")
    return [
        await records.create_lead(
            admin,
            records.LeadChanges(name=f"Lead {i}", source="web", pool_id=pool.id, fields=fields),
        )
        for i in range(count)
    ]


async def pool_org(**settings: Any) -> tuple[Org, Pool]:
    org = await make_org()
    return org, await make_pool(org, **settings)
