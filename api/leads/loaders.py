"""DataLoaders of the leads domain: one query per batch, whatever the page size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader
from tortoise.functions import Count

from api.auth import Actor
from api.db import tenant_scoped
from api.leads.models import CLAIMABLE, Lead, LeadAssignment, Pool, PoolDepartment, PoolMember
from api.loaders import RowByIdLoader


class PoolByIdLoader(RowByIdLoader[Pool]):
    model = Pool


class LeadAssignmentByIdLoader(RowByIdLoader[LeadAssignment]):
    model = LeadAssignment


class DepartmentIdsByPoolLoader(DataLoader[int, list[int]]):
    """The departments bound to each pool."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, pool_ids: Sequence[int]) -> list[list[int]]:
        rows = (
            await tenant_scoped(self.actor, PoolDepartment)
            .filter(pool_id__in=list(set(pool_ids)))
            .order_by("id")
            .values_list("pool_id", "department_id")
        )
        by_pool: dict[int, list[int]] = defaultdict(list)
        for pool_id, department_id in rows:
            by_pool[pool_id].append(department_id)
        return [by_pool[p] for p in pool_ids]


class MembersByPoolLoader(DataLoader[int, list[PoolMember]]):
    """The per-staff settings of each pool."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, pool_ids: Sequence[int]) -> list[list[PoolMember]]:
        rows = (
            await tenant_scoped(self.actor, PoolMember)
            .filter(pool_id__in=list(set(pool_ids)))
            .order_by("id")
        )
        by_pool: dict[int, list[PoolMember]] = defaultdict(list)
        for row in rows:
            by_pool[row.pool_id].append(row)
        return [by_pool[p] for p in pool_ids]


class WaitingCountByPoolLoader(DataLoader[int, int]):
    """How many leads wait in each pool (unheld, claimable)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, pool_ids: Sequence[int]) -> list[int]:
        rows = (
            await tenant_scoped(self.actor, Lead)
            .filter(pool_id__in=list(set(pool_ids)), owner_id=None, status__in=CLAIMABLE)
            .annotate(n=Count("id"))
            .group_by("pool_id")
            .values_list("pool_id", "n")
        )
        counts = dict(rows)
        return [counts.get(p, 0) for p in pool_ids]


class HeldByMeCountByPoolLoader(DataLoader[int, int]):
    """How many leads of each pool the caller holds (against its holding cap)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, pool_ids: Sequence[int]) -> list[int]:
        if self.actor.staff_id is None:
            return [0 for _ in pool_ids]
        rows = (
            await tenant_scoped(self.actor, Lead)
            .filter(
                pool_id__in=list(set(pool_ids)),
                owner_id=self.actor.staff_id,
                status__in=CLAIMABLE,
            )
            .annotate(n=Count("id"))
            .group_by("pool_id")
            .values_list("pool_id", "n")
        )
        counts = dict(rows)
        return [counts.get(p, 0) for p in pool_ids]


class AssignmentsByLeadLoader(DataLoader[int, list[LeadAssignment]]):
    """Every hold of each lead, newest first."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, lead_ids: Sequence[int]) -> list[list[LeadAssignment]]:
        rows = (
            await tenant_scoped(self.actor, LeadAssignment)
            .filter(lead_id__in=list(set(lead_ids)))
            .order_by("-started_at", "-id")
        )
        by_lead: dict[int, list[LeadAssignment]] = defaultdict(list)
        for row in rows:
            by_lead[row.lead_id].append(row)
        return [by_lead[i] for i in lead_ids]
