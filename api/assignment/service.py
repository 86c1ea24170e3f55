"""Choosing a staff member for the next item of a queue: round robin, weighted, least
loaded; with caps and online hours. Pools, channel codes, service routing and tickets
all assign through `choose()`.

The choice is settled in the database: the seat furthest behind its share
(`assigned / weight`) is bumped with a conditional update on the counter it was chosen
by, and a lost race retries, so round robin stays even and weights stay exact under
concurrency. Caps are the caller's to enforce again where the item is taken (e.g. a
conditional update of the lead), since load changes between choosing and taking.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from api.assignment.models import AssignmentCounter

MAX_RETRIES = 1000


class Strategy(StrEnum):
    """How the next item is given out."""

    ROUND_ROBIN = "round_robin"  # in turn: every seat the same count
    WEIGHTED = "weighted"  # in proportion to each seat's weight
    LEAST_LOADED = "least_loaded"  # to the seat holding the least now


@dataclass(frozen=True)
class OnlineWindow:
    """When a seat takes items: weekdays (0 = Monday) and a time range, local time."""

    weekdays: frozenset[int] = frozenset(range(7))
    start: time = time(0, 0)
    end: time = time(23, 59, 59)

    def contains(self, moment: datetime) -> bool:
        now = moment.time()
        in_range = (
            self.start <= now <= self.end
            if self.start <= self.end
            else (
                now >= self.start or now <= self.end  # a window across midnight
            )
        )
        return moment.weekday() in self.weekdays and in_range


@dataclass(frozen=True)
class Seat:
    """A staff member who can receive items, with weight, cap and online hours."""

    staff_id: int
    weight: int = 1
    cap: int | None = None  # most items held at once; None: no cap
    online: tuple[OnlineWindow, ...] = field(default_factory=tuple)  # empty: always

    def is_online(self, moment: datetime) -> bool:
        return not self.online or any(w.contains(moment) for w in self.online)


def eligible(seats: Sequence[Seat], loads: Mapping[int, int], moment: datetime) -> list[Seat]:
    """Seats that are online, have weight, and are under their cap."""
    return [
        s
        for s in seats
        if s.weight > 0
        and s.is_online(moment)
        and (s.cap is None or loads.get(s.staff_id, 0) < s.cap)
    ]


async def _counters(tenant_id: int, queue: str, staff_ids: list[int]) -> dict[int, int]:
    rows = dict(
        await AssignmentCounter.filter(
            tenant_id=tenant_id, queue=queue, staff_id__in=staff_ids
        ).values_list("staff_id", "assigned")
    )
    for staff_id in staff_ids:
        if staff_id not in rows:
            try:
                async with in_transaction():  # a savepoint when called inside a transaction
                    await AssignmentCounter.create(
                        tenant_id=tenant_id, queue=queue, staff_id=staff_id, assigned=0
                    )
            except IntegrityError:
                pass  # created concurrently
            rows[staff_id] = (
                await AssignmentCounter.get(tenant_id=tenant_id, queue=queue, staff_id=staff_id)
            ).assigned
    return rows


async def choose(
    tenant_id: int,
    queue: str,
    seats: Sequence[Seat],
    strategy: Strategy,
    *,
    loads: Mapping[int, int] | None = None,
    now: datetime | None = None,
    timezone: str = "Asia/Shanghai",
) -> int | None:
    """The staff id to receive the next item of `queue`, or None when no seat is online
    and under its cap. `loads` (items each staff holds now) drives caps and
    least-loaded."""
    loads = loads or {}
    moment = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone))
    candidates = eligible(seats, loads, moment)
    if not candidates:
        return None
    if strategy is Strategy.LEAST_LOADED:
        low = min(loads.get(s.staff_id, 0) for s in candidates)
        candidates = [s for s in candidates if loads.get(s.staff_id, 0) == low]
        # ties go round robin, so equally loaded seats alternate
    weights = {s.staff_id: (s.weight if strategy is Strategy.WEIGHTED else 1) for s in candidates}
    order = {s.staff_id: i for i, s in enumerate(candidates)}
    for attempt in range(MAX_RETRIES):
        if attempt:  # lost a race: back off a little, with jitter, so a crowd spreads out
            await asyncio.sleep(random.uniform(0, 0.001 * min(attempt, 20)))
        counts = await _counters(tenant_id, queue, list(weights))
        # the seat furthest behind its share: smallest (assigned + 1) / weight
        staff_id = min(weights, key=lambda k: ((counts[k] + 1) / weights[k], order[k]))
        bumped = await AssignmentCounter.filter(
            tenant_id=tenant_id, queue=queue, staff_id=staff_id, assigned=counts[staff_id]
        ).update(assigned=F("assigned") + 1)
        if bumped:
            return staff_id
    raise RuntimeError(f"assignment to {queue!r} lost {MAX_RETRIES} races in a row")
