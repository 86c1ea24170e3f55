"""DataLoaders of the customers domain: one query per batch, whatever the page size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from api.auth import Actor
from api.customers.models import CustomerFollower, CustomerTag, LifecycleTemplate, Tag, TagGroup
from api.db import tenant_scoped
from api.loaders import RowByIdLoader


class TagsByCustomerLoader(DataLoader[int, list[Tag]]):
    """The tags of each customer, ordered by group then tag order."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, customer_ids: Sequence[int]) -> list[list[Tag]]:
        links = (
            await tenant_scoped(self.actor, CustomerTag)
            .filter(customer_id__in=list(set(customer_ids)))
            .values_list("customer_id", "tag_id")
        )
        tags = {
            t.id: t
            for t in await tenant_scoped(self.actor, Tag).filter(
                id__in=list({tag_id for _, tag_id in links})
            )
        }
        by_customer: dict[int, list[Tag]] = defaultdict(list)
        for customer_id, tag_id in links:
            by_customer[customer_id].append(tags[tag_id])
        return [
            sorted(by_customer[c], key=lambda t: (t.group_id, t.order, t.id)) for c in customer_ids
        ]


class FollowerIdsByCustomerLoader(DataLoader[int, list[int]]):
    """Staff ids following each customer."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, customer_ids: Sequence[int]) -> list[list[int]]:
        rows = (
            await tenant_scoped(self.actor, CustomerFollower)
            .filter(customer_id__in=list(set(customer_ids)))
            .order_by("id")
            .values_list("customer_id", "staff_id")
        )
        by_customer: dict[int, list[int]] = defaultdict(list)
        for customer_id, staff_id in rows:
            by_customer[customer_id].append(staff_id)
        return [by_customer[c] for c in customer_ids]


class LifecycleTemplateByIdLoader(RowByIdLoader[LifecycleTemplate]):
    model = LifecycleTemplate


class TagGroupByIdLoader(RowByIdLoader[TagGroup]):
    model = TagGroup


class TagsByGroupLoader(DataLoader[int, list[Tag]]):
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, group_ids: Sequence[int]) -> list[list[Tag]]:
        rows = (
            await tenant_scoped(self.actor, Tag)
            .filter(group_id__in=list(set(group_ids)))
            .order_by("order", "id")
        )
        by_group: dict[int, list[Tag]] = defaultdict(list)
        for tag in rows:
            by_group[tag.group_id].append(tag)
        return [by_group[g] for g in group_ids]
