"""The shared assignment module: round robin is even, weights are met within 2%,
least-loaded and caps hold, online hours count, and concurrent choices stay exact."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, time
from zoneinfo import ZoneInfo

from api.assignment.service import OnlineWindow, Seat, Strategy, choose
from tests.conftest import Org, make_org, unique

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)


def staff_ids(org: Org, n: int) -> list[int]:
    ids = [p.id for p in org.people.values()]
    assert len(ids) >= n
    return ids[:n]


async def test_round_robin_is_even(org_a: Org) -> None:
    queue = unique("rr")
    seats = [Seat(i) for i in staff_ids(org_a, 5)]
    got = Counter(
        [await choose(org_a.tenant.id, queue, seats, Strategy.ROUND_ROBIN) for _ in range(500)]
    )
    assert sorted(got.values()) == [100] * 5
    # in turn: any five consecutive items go to five different people
    queue = unique("rr")
    turn = [await choose(org_a.tenant.id, queue, seats, Strategy.ROUND_ROBIN) for _ in range(5)]
    assert len(set(turn)) == 5


async def test_weighted_lands_within_two_percent_over_ten_thousand(org_a: Org) -> None:
    queue = unique("w")
    ids = staff_ids(org_a, 4)
    seats = [Seat(i, weight=w) for i, w in zip(ids, (1, 2, 3, 4), strict=True)]
    got = Counter(
        [await choose(org_a.tenant.id, queue, seats, Strategy.WEIGHTED) for _ in range(10_000)]
    )
    for seat in seats:
        share = got[seat.staff_id] / 10_000
        assert abs(share - seat.weight / 10) <= 0.02 * (seat.weight / 10), (seat, share)


async def test_least_loaded_and_caps(org_a: Org) -> None:
    a, b, c = staff_ids(org_a, 3)
    seats = [Seat(a, cap=5), Seat(b, cap=5), Seat(c, cap=2)]
    tenant = org_a.tenant.id
    assert (
        await choose(tenant, unique("l"), seats, Strategy.LEAST_LOADED, loads={a: 3, b: 1, c: 2})
        == b
    )  # c is at its cap
    assert (
        await choose(tenant, unique("l"), seats, Strategy.ROUND_ROBIN, loads={a: 5, b: 5, c: 1})
        == c
    )
    assert (
        await choose(tenant, unique("l"), seats, Strategy.WEIGHTED, loads={a: 5, b: 5, c: 2})
        is None
    )  # everyone full


async def test_least_loaded_ties_alternate(org_a: Org) -> None:
    a, b = staff_ids(org_a, 2)
    queue = unique("tie")
    picks = [
        await choose(
            org_a.tenant.id, queue, [Seat(a), Seat(b)], Strategy.LEAST_LOADED, loads={a: 1, b: 1}
        )
        for _ in range(4)
    ]
    assert Counter(picks) == {a: 2, b: 2}


async def test_online_hours(org_a: Org) -> None:
    a, b = staff_ids(org_a, 2)
    day_shift = (OnlineWindow(frozenset(range(5)), time(9), time(18)),)
    night_shift = (OnlineWindow(frozenset(range(7)), time(22), time(6)),)
    seats = [Seat(a, online=day_shift), Seat(b, online=night_shift)]
    tenant = org_a.tenant.id
    assert await choose(tenant, unique("o"), seats, Strategy.ROUND_ROBIN, now=TUESDAY_NOON) == a
    late = datetime(2026, 11, 24, 23, 30, tzinfo=SHANGHAI)
    assert await choose(tenant, unique("o"), seats, Strategy.ROUND_ROBIN, now=late) == b
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI)
    assert await choose(tenant, unique("o"), seats, Strategy.ROUND_ROBIN, now=saturday_noon) is None


async def test_concurrent_round_robin_stays_exact() -> None:
    org = await make_org()
    queue = unique("race")
    seats = [Seat(i) for i in staff_ids(org, 5)]
    picks = await asyncio.gather(
        *(choose(org.tenant.id, queue, seats, Strategy.ROUND_ROBIN) for _ in range(100))
    )
    assert sorted(Counter(picks).values()) == [20] * 5
