"""Relay plumbing shared by every domain: global ids, connections and keyset pagination.

Connections page with opaque keyset cursors (the sort key values of the row, then its
id), never with offsets, so deep pages cost the same as the first one and rows inserted
meanwhile do not shift a page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from strawberry import relay
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

import settings
from api.errors import NotFound, invalid

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT", bound=Model)


def decode_id(value: relay.GlobalID | str, expected_type: str) -> int:
    """The database id inside a global id of `expected_type`.

    A malformed id, or one of another type, is reported as NOT_FOUND: to the caller it
    names no object it may see.
    """
    try:
        gid = value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)
        if gid.type_name != expected_type:
            raise ValueError(gid.type_name)
        return int(gid.node_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise NotFound(f"No {expected_type} with id {value}") from exc


def encode_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def encode_optional_id(type_name: str, pk: int | None) -> str | None:
    """The global id of `pk`, or None for no row (nullable foreign keys)."""
    return encode_id(type_name, pk) if pk is not None else None


@strawberry.type(description="One row of a page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass as `after` to get the rows after this one.")
    node: NodeT = strawberry.field(description="The row.")


@strawberry.type(description="A page of results with cursors, Relay style.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(
        description="The rows of this page, each with its cursor."
    )
    page_info: relay.PageInfo = strawberry.field(
        description="Cursors and whether more pages exist."
    )
    _count: strawberry.Private[Callable[[], Any]]

    @strawberry.field(description="Number of rows matching the filters, over all pages.")
    async def total_count(self) -> int:
        return await self._count()


@dataclass(frozen=True)
class OrderKey:
    """One sort key of a keyset page: a model field name and its direction."""

    field: str
    descending: bool = False


def _encode_cursor(values: Sequence[Any]) -> str:
    plain = [
        v.isoformat()
        if isinstance(v, datetime)
        else {"d": str(v)}
        if isinstance(v, Decimal)  # PostgreSQL numeric sort keys
        else v
        for v in values
    ]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode()


def _decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise invalid(["after"], "cursor", "Not a cursor returned by this connection") from exc
    if not isinstance(values, list) or len(values) != size:
        raise invalid(["after"], "cursor", "Not a cursor returned by this connection")
    try:
        return [Decimal(v["d"]) if isinstance(v, dict) else v for v in values]
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise invalid(["after"], "cursor", "Not a cursor returned by this connection") from exc


def _after_filter(keys: Sequence[OrderKey], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the order `keys`: (a > x) or (a = x and b > y) ..."""
    clauses = []
    for i, key in enumerate(keys):
        equal = {k.field: v for k, v in zip(keys[:i], values[:i], strict=True)}
        op = "lt" if key.descending else "gt"
        clauses.append(Q(**equal, **{f"{key.field}__{op}": values[i]}))
    result = clauses[0]
    for clause in clauses[1:]:
        result |= clause
    return result


def check_page_size(first: int | None) -> int:
    """`first` validated against the page size cap (VALIDATION_FAILED when out of range)."""
    if first is None:
        return settings.GRAPHQL_DEFAULT_PAGE_SIZE
    if first < 0 or first > settings.GRAPHQL_MAX_PAGE_SIZE:
        raise invalid(
            ["first"], "maximum", f"first must be between 0 and {settings.GRAPHQL_MAX_PAGE_SIZE}"
        )
    return first


async def paginate(
    queryset: QuerySet[RowT],
    *,
    first: int | None,
    after: str | None,
    order: Sequence[OrderKey],
    to_node: Callable[[RowT], NodeT],
) -> Connection[NodeT]:
    """One page of `queryset` as a connection, keyset-paginated over `order` + id."""
    limit = check_page_size(first)
    keys = [*order, OrderKey("id")] if not order or order[-1].field != "id" else list(order)
    page_qs = queryset
    if after:
        values = _decode_cursor(after, len(keys))
        fields_map = queryset.model._meta.fields_map
        values = [
            datetime.fromisoformat(v)
            if isinstance(v, str) and isinstance(fields_map.get(k.field), fields.DatetimeField)
            else v
            for k, v in zip(keys, values, strict=True)
        ]
        page_qs = page_qs.filter(_after_filter(keys, values))
    ordering = [f"-{k.field}" if k.descending else k.field for k in keys]
    rows = await page_qs.order_by(*ordering).limit(limit + 1)
    has_next = len(rows) > limit
    rows = rows[:limit]
    edges = [
        Edge(cursor=_encode_cursor([getattr(row, k.field) for k in keys]), node=to_node(row))
        for row in rows
    ]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=queryset.count,
    )
