"""DataLoaders of the events domain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from api.auth import Actor
from api.db import tenant_scoped
from api.events.models import Event, WebhookAttempt
from api.loaders import RowByIdLoader


class EventByIdLoader(RowByIdLoader[Event]):
    model = Event


class AttemptsByDeliveryLoader(DataLoader[int, list[WebhookAttempt]]):
    """The attempts of deliveries, oldest first, in one query per batch."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[int]) -> list[list[WebhookAttempt]]:
        rows = (
            await tenant_scoped(self.actor, WebhookAttempt)
            .filter(delivery_id__in=list(set(ids)))
            .order_by("number")
        )
        by_delivery: defaultdict[int, list[WebhookAttempt]] = defaultdict(list)
        for row in rows:
            by_delivery[row.delivery_id].append(row)
        return [by_delivery[i] for i in ids]
