"""Query root of the leads domain."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.leads.inputs import LeadOrder, LeadWhere, where_to_q
from api.leads.recycle import POLICY_SCHEMA
from api.leads.service import funnel, pools
from api.leads.service.records import KIND, get_lead, visible_leads
from api.leads.types import Lead, LeadFunnelRow, Pool
from api.metadata.service import hidden_fields
from api.permissions import requires
from api.relay import Connection, decode_id, encode_id
from api.where import DateTimeRange, custom_field_page


@strawberry.enum(description="How the lead funnel is grouped.")
class FunnelGroupBy(Enum):
    STAFF = "staff"
    CHANNEL = "channel"


@strawberry.type
class LeadQueries:
    @strawberry.field(
        description="Pools the caller may use (bound to its department or one above it); "
        "managers also see their subtree's, admins all.",
        extensions=requires("leads:read"),
    )
    async def pools(
        self,
        info: Info,
        include_archived: Annotated[
            bool, strawberry.argument(description="Archived pools too.")
        ] = False,
    ) -> list[Pool]:
        qs = pools.visible_pools(info.context.actor)
        if not include_archived:
            qs = qs.filter(archived=False)
        return [Pool.from_row(r) for r in await qs.order_by("name", "id")]

    @strawberry.field(
        description="One pool, if the caller may see it.", extensions=requires("leads:read")
    )
    async def pool(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its id.")]
    ) -> Pool:
        return Pool.from_row(await pools.get_pool(info.context.actor, decode_id(id, "Pool")))

    @strawberry.field(
        description="Leads the caller may see: its own, those waiting in its pools; managers "
        "also their department subtree's; admins all.",
        extensions=requires("leads:read"),
    )
    async def leads(
        self,
        info: Info,
        where: Annotated[
            LeadWhere | None, strawberry.argument(description="Filters; all must hold.")
        ] = None,
        order_by: Annotated[
            list[LeadOrder] | None,
            strawberry.argument(description="Sort keys, custom fields allowed (default: newest)."),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 200.")
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[Lead]:
        actor = info.context.actor
        return await custom_field_page(
            actor,
            KIND,
            visible_leads(actor),
            where=where,
            to_q=where_to_q,
            order_by=order_by,
            first=first,
            after=after,
            to_node=Lead.from_row,
        )

    @strawberry.field(
        description="One lead, if the caller may see it.", extensions=requires("leads:read")
    )
    async def lead(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its id.")]
    ) -> Lead:
        actor = info.context.actor
        row = await get_lead(actor, decode_id(id, "Lead"))
        return Lead.from_row(row, await hidden_fields(actor, KIND))

    @strawberry.field(
        description="The lead funnel (A1): distinct leads reaching each step (created, "
        "assigned, valid, invalid, to revisit, released, recycled, converted) in `range`, "
        "by staff member or by channel, within the caller's data scope.",
        extensions=requires("leads:read"),
    )
    async def lead_funnel(
        self,
        info: Info,
        range: Annotated[
            DateTimeRange, strawberry.argument(description="The period; both ends required.")
        ],
        group_by: Annotated[FunnelGroupBy, strawberry.argument(description="Grouping.")],
    ) -> list[LeadFunnelRow]:
        from api.errors import invalid

        if range.gte is None or range.lt is None:
            raise invalid(("range",), "required", "Give both gte and lt")
        rows = await funnel.lead_funnel(info.context.actor, range.gte, range.lt, group_by.value)
        return [
            LeadFunnelRow(
                key=(
                    encode_id("Staff", row.key)
                    if group_by is FunnelGroupBy.STAFF and row.key is not None
                    else row.key
                ),
                label=row.label,
                created=row.created,
                assigned=row.assigned,
                valid=row.valid,
                invalid=row.invalid,
                to_revisit=row.to_revisit,
                released=row.released,
                recycled=row.recycled,
                converted=row.converted,
                conversion_rate=row.conversion_rate,
            )
            for row in rows
        ]

    @strawberry.field(
        description="The JSON Schema a pool's recycle policy document follows.",
        extensions=requires("leads:read"),
    )
    def lead_recycle_policy_schema(self) -> JSON:
        return POLICY_SCHEMA
