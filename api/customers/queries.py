"""Query root of the customers domain."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.customers.inputs import CustomerOrder, CustomerWhere, order_keys, where_to_q
from api.customers.service import tags
from api.customers.service.records import KIND, get_customer, visible_customers
from api.customers.types import Customer, LifecycleTemplate, TagGroup
from api.db import scoped
from api.filters import FieldFilterCompiler
from api.metadata.service import current_fields, hidden_field_keys
from api.permissions import requires
from api.relay import Connection, decode_id, paginate


@strawberry.type
class CustomerQueries:
    @strawberry.field(
        description="Customers the caller may see (staff: theirs and those they follow; "
        "managers: also their department subtree's; admins: all).",
        extensions=requires("customers:read"),
    )
    async def customers(
        self,
        info: Info,
        where: Annotated[
            CustomerWhere | None, strawberry.argument(description="Filters; all must hold.")
        ] = None,
        order_by: Annotated[
            list[CustomerOrder] | None,
            strawberry.argument(description="Sort keys, custom fields allowed (default: newest)."),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 200.")
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[Customer]:
        actor = info.context.actor
        _, compiled = await current_fields(actor.tenant_id, KIND)
        compiler = FieldFilterCompiler(compiled.filterable)
        qs = visible_customers(actor)
        q = where_to_q(where, compiler) if where else None
        keys = order_keys(order_by, compiler)
        if compiler.compiled.annotations:
            qs = qs.annotate(**compiler.compiled.annotations)
        if q is not None:
            qs = qs.filter(q)
        hidden = hidden_field_keys(actor, compiled)
        return await paginate(
            qs,
            first=first,
            after=after,
            order=keys,
            to_node=lambda row: Customer.from_row(row, hidden),
        )

    @strawberry.field(
        description="One customer, if the caller may see it.",
        extensions=requires("customers:read"),
    )
    async def customer(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its id.")]
    ) -> Customer:
        actor = info.context.actor
        row = await get_customer(actor, decode_id(id, "Customer"))
        _, compiled = await current_fields(actor.tenant_id, KIND)
        return Customer.from_row(row, hidden_field_keys(actor, compiled))

    @strawberry.field(
        description="Tag groups (optionally only `customer` or `group` ones).",
        extensions=requires("customers:read"),
    )
    async def tag_groups(
        self,
        info: Info,
        target: Annotated[
            str | None, strawberry.argument(description="`customer` or `group`.")
        ] = None,
    ) -> list[TagGroup]:
        rows = await tags.visible_tag_groups(info.context.actor, target).order_by("name", "id")
        return [TagGroup.from_row(r) for r in rows]

    @strawberry.field(
        description="Lifecycle stage templates of the tenant.",
        extensions=requires("customers:read"),
    )
    async def lifecycle_templates(self, info: Info) -> list[LifecycleTemplate]:
        from api.customers.models import LifecycleTemplate as Row

        rows = await scoped(info.context.actor, Row).order_by("name", "id")
        return [LifecycleTemplate.from_row(r) for r in rows]
