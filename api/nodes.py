"""Resolving Relay nodes through the scoping choke point, shared by every Node type."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from strawberry import relay
from strawberry.types import Info
from tortoise.models import Model
from tortoise.queryset import QuerySet

from api.db import scoped
from api.errors import NotFound

N = TypeVar("N")


async def resolve_scoped_nodes(
    info: Info,
    model: type[Model],
    node_ids: Iterable[str],
    to_node: Callable[[Any], N],
    *,
    required: bool,
    queryset: QuerySet[Any] | None = None,
) -> list[N | None]:
    """Nodes for `node_ids` the caller may see, in order; others are None (or NOT_FOUND
    when `required`). `queryset` narrows the rows further than `scoped()` (it must be
    built on it, e.g. a domain's `visible_...`)."""
    ids: list[int | None] = []
    for raw in node_ids:
        try:
            ids.append(int(raw))
        except ValueError:
            ids.append(None)
    wanted = [i for i in ids if i is not None]
    qs = queryset if queryset is not None else scoped(info.context.actor, model)
    rows = await qs.filter(id__in=wanted) if wanted else []
    by_id = {row.id: row for row in rows}
    result = [to_node(by_id[i]) if i in by_id else None for i in ids]
    if required and any(r is None for r in result):
        raise NotFound(f"No {model.__name__} with this id")
    return result


class ScopedNode(relay.Node):
    """A Node type backed by a model: `node(id:)` resolves through the scoping choke
    point. Subclasses set `model` (and `read_scope` when reading needs a scope) and
    define `from_row(row)`."""

    model: ClassVar[type[Model]]
    read_scope: ClassVar[str | None] = None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        if cls.read_scope:
            info.context.actor.require(cls.read_scope)
        return await resolve_scoped_nodes(
            info,
            cls.model,
            node_ids,
            cls.from_row,
            required=required,  # type: ignore[attr-defined]
        )
