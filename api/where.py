"""Shared pieces of `where:`/`orderBy:` inputs: conditions on text columns, time ranges
and custom fields, and/or/not trees, sort keys, and their compilation to tortoise `Q`
objects and keyset order (custom fields through `api.filters.FieldFilterCompiler`);
`custom_field_page` serves one filtered page of an extensible entity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from api.auth import Actor
from api.errors import invalid
from api.filters import Condition, FieldFilterCompiler
from api.relay import Connection, OrderKey, paginate


@strawberry.input(description="Conditions on a text column; all given must hold.")
class StringFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    contains: str | None = strawberry.field(default=None, description="Contains (any case).")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")


@strawberry.input(description="A time range; both ends optional.")
class DateTimeRange:
    gte: datetime | None = strawberry.field(default=None, description="At or after.")
    lt: datetime | None = strawberry.field(default=None, description="Before.")


@strawberry.input(
    description="A condition on one custom field; give exactly one operator. Values are "
    "JSON of the field's type (numbers for number, strings for dates, option values...)."
)
class FieldCondition:
    key: str = strawberry.field(description="The custom field's key.")
    eq: JSON | None = strawberry.field(default=None, description="Equal to.")
    ne: JSON | None = strawberry.field(default=None, description="Not equal (or unset).")
    in_: list[JSON] | None = strawberry.field(default=None, name="in", description="One of.")
    lt: JSON | None = strawberry.field(default=None, description="Less than.")
    lte: JSON | None = strawberry.field(default=None, description="At most.")
    gt: JSON | None = strawberry.field(default=None, description="Greater than.")
    gte: JSON | None = strawberry.field(default=None, description="At least.")
    contains: JSON | None = strawberry.field(
        default=None, description="Text contains (any case); multi select holds this option."
    )
    is_null: bool | None = strawberry.field(default=None, description="Unset (true) or set.")


def string_q(column: str, f: StringFilter) -> Q:
    q = Q()
    if f.eq is not None:
        q &= Q(**{column: f.eq})
    if f.contains is not None:
        q &= Q(**{f"{column}__icontains": f.contains})
    if f.in_ is not None:
        q &= Q(**{f"{column}__in": f.in_})
    return q


_OPS = ("eq", "ne", "in_", "lt", "lte", "gt", "gte", "contains", "is_null")


def as_utc(value: datetime) -> datetime:
    """A bound in UTC (naive ones taken as UTC): SQLite compares stored instants as text,
    so a bound in another zone would compare wrongly."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def range_q(column: str, r: DateTimeRange) -> Q:
    q = Q()
    if r.gte:
        q &= Q(**{f"{column}__gte": as_utc(r.gte)})
    if r.lt:
        q &= Q(**{f"{column}__lt": as_utc(r.lt)})
    return q


def fields_q(
    conditions: list[FieldCondition] | None, compiler: FieldFilterCompiler, path: tuple
) -> Q:
    """All custom-field conditions as one Q; each must name exactly one operator."""
    q = Q()
    for i, cond in enumerate(conditions or []):
        given = [op for op in _OPS if getattr(cond, op) is not None]
        if len(given) != 1:
            raise invalid((*path, "fields", i), "oneOperator", "Give exactly one operator")
        op = given[0]
        q &= compiler.condition(
            Condition(cond.key, op.rstrip("_"), getattr(cond, op)), (*path, "fields", i)
        )
    return q


WhereToQ = Callable[[Any, FieldFilterCompiler, tuple], Q]


def logic_q(where: Any, to_q: WhereToQ, compiler: FieldFilterCompiler, path: tuple) -> Q:
    """The `and`, `or` and `not` parts of a `where` tree, each compiled with `to_q`."""
    q = Q()
    for i, sub in enumerate(where.and_ or []):
        q &= to_q(sub, compiler, (*path, "and", i))
    if where.or_:
        any_of = Q(id__in=[])
        for i, sub in enumerate(where.or_):
            any_of |= to_q(sub, compiler, (*path, "or", i))
        q &= any_of
    if where.not_:
        q &= ~to_q(where.not_, compiler, (*path, "not"))
    return q


def order_keys(order_by: list[Any] | None, compiler: FieldFilterCompiler) -> list[OrderKey]:
    """Keyset sort keys of an `orderBy` list (each a built-in `by` or a custom `field`);
    newest first by default."""
    keys = []
    for i, order in enumerate(order_by or []):
        if (order.by is None) == (order.field is None):
            raise invalid(("orderBy", i), "oneOf", "Give `by` or `field`")
        name = (
            order.by.value
            if order.by
            else compiler.order_annotation(order.field, ("orderBy", i, "field"))
        )
        keys.append(OrderKey(name, descending=order.desc))
    return keys or [OrderKey("created_at", descending=True), OrderKey("id", descending=True)]


async def custom_field_page(
    actor: Actor,
    kind: str,
    qs: QuerySet[Any],
    *,
    where: Any,
    to_q: WhereToQ,
    order_by: list[Any] | None,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any, frozenset[str]], Any],
) -> Connection[Any]:
    """One page of `qs` (rows the actor may see of an entity with `kind` custom fields),
    filtered and sorted on built-in columns and custom fields; `to_node(row, hidden)`
    leaves out the fields the caller's roles may not see."""
    from api.metadata.service import current_fields, hidden_field_keys

    _, compiled = await current_fields(actor.tenant_id, kind)
    compiler = FieldFilterCompiler(compiled.filterable)
    q = to_q(where, compiler, ("where",)) if where else None
    keys = order_keys(order_by, compiler)
    if compiler.compiled.annotations:
        qs = qs.annotate(**compiler.compiled.annotations)
    if q is not None:
        qs = qs.filter(q)
    hidden = hidden_field_keys(actor, compiled)
    return await paginate(
        qs, first=first, after=after, order=keys, to_node=lambda row: to_node(row, hidden)
    )
