"""GraphQL inputs of the customers domain, and the `where`/`orderBy` compilation."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import relay
from tortoise.expressions import Q

from api.filters import FieldFilterCompiler
from api.relay import decode_id
from api.where import (
    DateTimeRange,
    FieldCondition,
    StringFilter,
    fields_q,
    logic_q,
    range_q,
    string_q,
)


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


def where_to_q(where: CustomerWhere, compiler: FieldFilterCompiler, path: tuple = ("where",)) -> Q:
    """Compile a `CustomerWhere` tree into one Q (custom fields via the filter compiler)."""
    from api.customers.models import CustomerTag

    q = logic_q(where, where_to_q, compiler, path)
    for column, f in (
        ("name", where.name),
        ("source", where.source),
        ("stage_key", where.stage_key),
    ):
        if f is not None:
            q &= string_q(column, f)
    if where.owner_ids is not None:
        q &= Q(owner_id__in=[decode_id(i, "Staff") for i in where.owner_ids])
    if where.tag_ids is not None:
        from tortoise.expressions import Subquery

        tags = [decode_id(i, "Tag") for i in where.tag_ids]
        q &= Q(id__in=Subquery(CustomerTag.filter(tag_id__in=tags).values("customer_id")))
    if where.created_at is not None:
        q &= range_q("created_at", where.created_at)
    q &= fields_q(where.fields, compiler, path)
    return q
