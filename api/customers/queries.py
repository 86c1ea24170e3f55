"""Query root of the customers domain."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.customers.inputs import CustomerOrder, CustomerWhere, where_to_q
from api.customers.service import tags
from api.customers.service.records import KIND, get_customer, visible_customers
from api.customers.types import Customer, LifecycleTemplate, TagGroup
from api.db import scoped
from api.metadata.service import hidden_fields
from api.permissions import requires
from api.relay import Connection, decode_id
from api.where import custom_field_page


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
        return await custom_field_page(
            actor,
            KIND,
            visible_customers(actor),
            where=where,
            to_q=where_to_q,
            order_by=order_by,
            first=first,
            after=after,
            to_node=Customer.from_row,
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
        return Customer.from_row(row, await hidden_fields(actor, KIND))

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
