"""Query root of the events domain: the catalogue, events for polling, webhook endpoints
and their deliveries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import api.events.builtin_types  # noqa: F401 - registers the domain's own event types
from api.events import catalogue
from api.events.outbox import cursor_of
from api.events.service import endpoints, reading
from api.events.types import Event, EventTypeInfo, WebhookDelivery, WebhookDeliveryStatus
from api.events.types import WebhookEndpoint as WebhookEndpointType
from api.permissions import requires
from api.relay import Connection, Edge, OrderKey, decode_id, encode_id, paginate


@strawberry.type
class EventQueries:
    @strawberry.field(
        description="Every event type: name, description, payload JSON Schema, and the scope "
        "needed to receive it.",
        extensions=requires(),
    )
    def event_types(self, info: Info) -> list[EventTypeInfo]:
        receivable = catalogue.receivable(info.context.actor)
        return [
            EventTypeInfo(
                name=t.name,
                description=t.description,
                scope=t.scope,
                payload_schema=t.payload_schema,
                receivable=t.name in receivable,
            )
            for t in catalogue.event_types()
        ]

    @strawberry.field(
        description="Events after a cursor, oldest first, for polling: pass the last event id "
        "you processed as `after` (edge cursors are event ids). Only the caller's tenant, "
        "data scope, and types its scopes cover.",
        extensions=requires("events:read"),
    )
    async def events(
        self,
        info: Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Types or patterns (`customer.*`); omit for all."),
        ] = None,
        after: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="An event id: return the events after it."),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 200 (default 50).")
        ] = None,
    ) -> Connection[Event]:
        actor = info.context.actor
        wanted = reading.requested_types(actor, types)
        cursor = cursor_of(after)
        rows, has_next = await reading.page_of_events(actor, wanted, cursor, first)
        edges = [Edge(cursor=encode_id("Event", r.id), node=Event.from_row(r)) for r in rows]
        return Connection(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=has_next,
                has_previous_page=cursor is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else after,
            ),
            _count=lambda: reading.count_events(actor, wanted, cursor),
        )

    @strawberry.field(
        description="The tenant's webhook endpoints, newest first.",
        extensions=requires("webhooks:manage"),
    )
    async def webhook_endpoints(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[WebhookEndpointType]:
        return await paginate(
            endpoints.visible_endpoints(info.context.actor),
            first=first,
            after=after,
            order=[OrderKey("id", descending=True)],
            to_node=WebhookEndpointType.from_row,
        )

    @strawberry.field(
        description="Deliveries to one webhook endpoint, newest first: status, attempts "
        "(status code, latency, error), dead letters.",
        extensions=requires("webhooks:manage"),
    )
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: Annotated[relay.GlobalID, strawberry.argument(description="The endpoint.")],
        status: Annotated[
            WebhookDeliveryStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[WebhookDelivery]:
        qs = await endpoints.deliveries_of(
            info.context.actor,
            decode_id(endpoint_id, "WebhookEndpoint"),
            status.value if status else None,
        )
        return await paginate(
            qs,
            first=first,
            after=after,
            order=[OrderKey("id", descending=True)],
            to_node=WebhookDelivery.from_row,
        )
