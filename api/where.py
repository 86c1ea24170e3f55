"""Shared pieces of `where:` inputs: conditions on text columns, time ranges and custom
fields, and their compilation to tortoise `Q` objects (custom fields through
`api.filters.FieldFilterCompiler`)."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.scalars import JSON
from tortoise.expressions import Q

from api.errors import invalid
from api.filters import Condition, FieldFilterCompiler


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
