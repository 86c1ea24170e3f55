"""Concurrent claims from one pool (公海): N staff members, each with S sessions (two
tabs, say), claim leads from a pool of 100k waiting leads with a holding cap until
capped, through `holding.claim` (claim limits, holding-row lock, cap count, conditional
lead update, assignment, timeline, funnel step, outbox event). Baseline, in the same
process over the same workers and candidates: the plain conditional UPDATE of the lead
alone (`owner IS NULL`), no limits, timeline or events.

Sessions pick leads from a shared window of candidates in their own random order, so
they collide (CONFLICT) as the window fills, as staff browsing the same list do.
Rounds interleave claims and baseline with fresh staff and fresh candidates; the best
round of each counts. Afterwards, one count per staff checks the cap held.

Usage: PYTHONPATH=. python -m bench.pool_claims [--staff 20] [--sessions 2] [--cap 50]
[--leads 100000] [--rounds 3]; a fresh SQLite file, or a fresh PostgreSQL database when
DATABASE_URL is postgres. Last line: claims/s, the ratio to the plain update and the
cap violations (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.common import Timer, bench_database, rate


@dataclass
class Round:
    claims: int = 0
    conflicts: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return rate(self.claims, self.seconds)


async def seed(staff: int, rounds: int, leads: int, cap: int):
    """(pool, staff actors per round): a tenant, Sales with `staff * 2 * rounds` staff
    members (fresh ones per round, for claims and baseline), a pool bound to Sales with
    the cap, and `leads` waiting leads."""
    from tortoise import connections

    from api.db import atomic
    from api.leads.models import Lead
    from api.leads.service import pools
    from api.org.models import Staff
    from api.org.service.actors import actor_for_staff
    from api.org.service.departments import create_department
    from api.org.service.tenants import create_tenant

    tenant, admin_row = await create_tenant(
        "bench", "Bench Co", "Bench Admin", "b@x.test", "x" * 12
    )
    admin = await actor_for_staff(admin_row)
    sales = await create_department(admin, "Sales", None)
    pool = await pools.create_pool(
        admin,
        pools.PoolChanges(
            name="Bench pool", department_ids=[sales.id], holding_cap=cap, set_holding_cap=True
        ),
    )
    teams = []
    for group in range(rounds * 2):
        rows = [
            await Staff.create(
                tenant_id=tenant.id,
                name=f"Claimer {group}-{i}",
                email=f"c{group}-{i}@x.test",
                roles=["staff"],
                department_id=sales.id,
            )
            for i in range(staff)
        ]
        teams.append([await actor_for_staff(row) for row in rows])
    async with atomic():
        await Lead.bulk_create(
            [
                Lead(tenant_id=tenant.id, name=f"Lead {i}", source="web", pool_id=pool.id)
                for i in range(leads)
            ],
            batch_size=1000,
        )
    db = connections.get("default")
    if db.capabilities.dialect == "postgres":
        # Planner statistics, as autovacuum keeps them on a live database. (SQLite has
        # none unless someone runs ANALYZE, and this app does not.)
        await db.execute_script("ANALYZE lead")
    ids = await Lead.filter(pool_id=pool.id).order_by("id").values_list("id", flat=True)
    return pool, teams, list(ids)


async def run(
    workers: list[tuple[int, list[int]]],
    attempt: Callable[[int, int], Awaitable[str]],
) -> Round:
    """Run every (staff index, candidates) session at once until each is capped."""
    result = Round()

    async def session(who: int, candidates: list[int]) -> None:
        for lead_id in candidates:
            outcome = await attempt(who, lead_id)
            if outcome == "capped":
                return
            if outcome == "ok":
                result.claims += 1
            else:
                result.conflicts += 1

    with Timer() as timer:
        await asyncio.gather(*(session(who, candidates) for who, candidates in workers))
    result.seconds = timer.seconds
    return result


def sessions_over(window: list[int], staff: int, sessions: int, seed: int):
    """Each staff member's sessions with their own random order of the window."""
    rnd = random.Random(seed)
    workers = []
    for who in range(staff):
        for _ in range(sessions):
            order = list(window)
            rnd.shuffle(order)
            workers.append((who, order))
    return workers


async def main(staff: int, sessions: int, cap: int, leads: int, rounds: int) -> str:
    async with bench_database() as url:
        from api.errors import Conflict
        from api.leads.models import CLAIMABLE, Lead
        from api.leads.service import holding

        pool, teams, ids = await seed(staff, rounds, leads, cap)
        window = staff * cap * 2  # twice the claims a round can make
        if window * rounds * 2 > len(ids):
            raise SystemExit("Not enough leads for the rounds; raise --leads")
        claim_rounds: list[Round] = []
        update_rounds: list[Round] = []
        for r in range(rounds):
            team = teams[2 * r]

            async def claim(who: int, lead_id: int, team=team) -> str:
                try:
                    await holding.claim(team[who], lead_id)
                except Conflict as exc:
                    return "capped" if exc.extensions.get("reason") == "holdingCap" else "taken"
                return "ok"

            base = teams[2 * r + 1]
            held = [0] * staff

            async def update(who: int, lead_id: int, base=base, held=held) -> str:
                if held[who] >= cap:
                    return "capped"
                taken = await Lead.filter(id=lead_id, owner_id=None).update(
                    owner_id=base[who].staff_id
                )
                if not taken:
                    return "taken"
                held[who] += 1
                return "ok"

            start = 2 * r * window
            claim_rounds.append(
                await run(sessions_over(ids[start : start + window], staff, sessions, r), claim)
            )
            update_rounds.append(
                await run(
                    sessions_over(ids[start + window : start + 2 * window], staff, sessions, r),
                    update,
                )
            )
            print(
                f"round {r + 1}: claims {claim_rounds[-1].claims} in "
                f"{claim_rounds[-1].seconds:.2f} s ({claim_rounds[-1].per_second:.0f}/s, "
                f"{claim_rounds[-1].conflicts} taken by others), plain update "
                f"{update_rounds[-1].per_second:.0f}/s",
                flush=True,
            )
        violations = 0
        for team in teams[::2]:  # one count per staff member that claimed
            for member in team:
                held_now = await Lead.filter(
                    pool_id=pool.id, owner_id=member.staff_id, status__in=CLAIMABLE
                ).count()
                violations += max(0, held_now - cap)
        expected = staff * cap * rounds
        total = sum(r.claims for r in claim_rounds)
        best = max(claim_rounds, key=lambda r: r.per_second)
        plain = max(update_rounds, key=lambda r: r.per_second)
    database = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    return (
        f"pool claims ({database}): staff={staff} sessions={sessions} cap={cap} leads={leads} "
        f"claims={total}/{expected} {best.per_second:.0f} claims/s, plain update "
        f"{plain.per_second:.0f}/s, ratio claim/update={best.per_second / plain.per_second:.3f}, "
        f"cap violations={violations}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=2, help="concurrent sessions per staff")
    parser.add_argument("--cap", type=int, default=50)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    line = asyncio.run(main(args.staff, args.sessions, args.cap, args.leads, args.rounds))
    print(line, flush=True)
    os._exit(0 if "cap violations=0" in line else 1)
