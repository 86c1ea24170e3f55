"""GraphQL inputs of the customers domain, and the `where`/`orderBy` compilation."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from tortoise.expressions import Q

from api.filters import Condition, FieldFilterCompiler
from api.relay import OrderKey, decode_id


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


@strawberry.input(description="Which customers; all given conditions must hold.")
class CustomerWhere:
    and_: list[CustomerWhere] | None = strawberry.field(
        default=None, name="and", description="All of these."
    )
    or_: list[CustomerWhere] | None = strawberry.field(
        default=None, name="or", description="Any of these."
    )
    not_: CustomerWhere | None = strawberry.field(default=None, name="not", description="Not this.")
    name: StringFilter | None = strawberry.field(default=None, description="On the name.")
    source: StringFilter | None = strawberry.field(default=None, description="On the source.")
    stage_key: StringFilter | None = strawberry.field(default=None, description="On the stage.")
    owner_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Owned by one of these staff members."
    )
    tag_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Has at least one of these tags."
    )
    created_at: DateTimeRange | None = strawberry.field(default=None, description="Created in.")
    fields: list[FieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom fields."
    )


@strawberry.enum(description="Built-in sort keys of customers.")
class CustomerSortKey(Enum):
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input(description="One sort key: a built-in `by` or a custom `field`.")
class CustomerOrder:
    by: CustomerSortKey | None = strawberry.field(default=None, description="Built-in key.")
    field: str | None = strawberry.field(default=None, description="Custom field key.")
    desc: bool = strawberry.field(default=False, description="Descending.")


def _string(column: str, f: StringFilter) -> Q:
    q = Q()
    if f.eq is not None:
        q &= Q(**{column: f.eq})
    if f.contains is not None:
        q &= Q(**{f"{column}__icontains": f.contains})
    if f.in_ is not None:
        q &= Q(**{f"{column}__in": f.in_})
    return q


_OPS = ("eq", "ne", "in_", "lt", "lte", "gt", "gte", "contains", "is_null")


def where_to_q(where: CustomerWhere, compiler: FieldFilterCompiler, path: tuple = ("where",)) -> Q:
    """Compile a `CustomerWhere` tree into one Q (custom fields via the filter compiler)."""
    from api.customers.models import CustomerTag

    q = Q()
    if where.and_:
        for i, sub in enumerate(where.and_):
            q &= where_to_q(sub, compiler, (*path, "and", i))
    if where.or_:
        any_of = Q(id__in=[])
        for i, sub in enumerate(where.or_):
            any_of |= where_to_q(sub, compiler, (*path, "or", i))
        q &= any_of
    if where.not_:
        q &= ~where_to_q(where.not_, compiler, (*path, "not"))
    for column, f in (
        ("name", where.name),
        ("source", where.source),
        ("stage_key", where.stage_key),
    ):
        if f is not None:
            q &= _string(column, f)
    if where.owner_ids is not None:
        q &= Q(owner_id__in=[decode_id(i, "Staff") for i in where.owner_ids])
    if where.tag_ids is not None:
        from tortoise.expressions import Subquery

        tags = [decode_id(i, "Tag") for i in where.tag_ids]
        q &= Q(id__in=Subquery(CustomerTag.filter(tag_id__in=tags).values("customer_id")))
    if where.created_at is not None:
        if where.created_at.gte:
            q &= Q(created_at__gte=where.created_at.gte)
        if where.created_at.lt:
            q &= Q(created_at__lt=where.created_at.lt)
    for i, cond in enumerate(where.fields or []):
        given = [op for op in _OPS if getattr(cond, op) is not None]
        if len(given) != 1:
            from api.errors import invalid

            raise invalid((*path, "fields", i), "oneOperator", "Give exactly one operator")
        op = given[0]
        q &= compiler.condition(
            Condition(cond.key, op.rstrip("_"), getattr(cond, op)), (*path, "fields", i)
        )
    return q


def order_keys(
    order_by: list[CustomerOrder] | None, compiler: FieldFilterCompiler
) -> list[OrderKey]:
    keys = []
    for i, order in enumerate(order_by or []):
        if (order.by is None) == (order.field is None):
            from api.errors import invalid

            raise invalid(("orderBy", i), "oneOf", "Give `by` or `field`")
        name = (
            order.by.value
            if order.by
            else compiler.order_annotation(order.field, ("orderBy", i, "field"))
        )
        keys.append(OrderKey(name, descending=order.desc))
    return keys or [OrderKey("created_at", descending=True), OrderKey("id", descending=True)]
