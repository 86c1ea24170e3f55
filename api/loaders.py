"""Base DataLoader for rows by id within the request's tenant (`<Model>ByIdLoader`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from api.auth import Actor
from api.db import tenant_scoped

M = TypeVar("M", bound=Model)


class RowByIdLoader(DataLoader[int, M | None], Generic[M]):
    """Loads rows of `model` by id in one query per batch, limited to the actor's tenant.

    Tenant-scoped only: it serves related rows (a staff member's department) reached
    through a row that already passed the data scope. Top-level lookups use `scoped()`.
    """

    model: ClassVar[type[Model]]

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[int]) -> list[M | None]:
        rows = await tenant_scoped(self.actor, self.model).filter(id__in=list(set(ids)))
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]  # type: ignore[misc]
