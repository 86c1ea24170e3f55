"""GraphQL types of the events domain: events, the catalogue, webhook endpoints and their
deliveries; thin wrappers over rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.events import catalogue, models
from api.events.loaders import AttemptsByDeliveryLoader, EventByIdLoader
from api.events.outbox import envelope, visible_events
from api.events.service import endpoints
from api.events.signing import secret_hint
from api.nodes import ScopedNode
from api.relay import Connection, OrderKey, paginate


@strawberry.type(description="Who made a change.")
class EventActor:
    kind: str = strawberry.field(
        description="`staff`, `apiKey`, or `system` (workflows and automatic changes)."
    )
    id: strawberry.ID | None = strawberry.field(
        description="The staff member's or API key's global id; null for `system`."
    )


@strawberry.type(
    description="A change, written in the same transaction as the change itself. Its id is "
    "the cursor to resume from (`events(after:)`); ids of a tenant grow in commit order."
)
class Event(relay.Node):
    id: relay.NodeID[int]
    type: str = strawberry.field(description="The event type, e.g. `staff.created`.")
    entity: str = strawberry.field(description="What changed, e.g. `staff`.")
    entity_id: strawberry.ID = strawberry.field(description="The global id of what changed.")
    payload: JSON = strawberry.field(
        description="The entity's state after the change; its JSON Schema is in `eventTypes`."
    )
    changed: JSON | None = strawberry.field(
        description="For updates: `{field: {before, after}}` of each changed field."
    )
    actor: EventActor = strawberry.field(description="Who made the change.")
    schema_version: int | None = strawberry.field(
        description="The field-definition version the record was validated against."
    )
    created_at: datetime = strawberry.field(description="When the change was committed.")

    @classmethod
    def from_row(cls, row: models.Event) -> Self:
        data = envelope(row)["data"]
        return cls(
            id=row.id,
            type=row.type,
            entity=row.entity,
            entity_id=strawberry.ID(str(data["entityId"])),
            payload=row.payload,
            changed=row.changed,
            actor=EventActor(kind=data["actor"]["kind"], id=data["actor"]["id"]),
            schema_version=row.schema_version,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        actor = info.context.actor
        actor.require("events:read")
        node_ids = list(node_ids)  # read twice below
        wanted = [int(i) for i in node_ids if str(i).isdigit()]
        rows = await visible_events(actor, catalogue.receivable(actor)).filter(id__in=wanted)
        by_id = {row.id: cls.from_row(row) for row in rows}
        result = [by_id.get(int(i)) if str(i).isdigit() else None for i in node_ids]
        if required and None in result:
            from api.errors import NotFound

            raise NotFound("No Event with this id")
        return result


@strawberry.type(name="EventType", description="An event type of the catalogue.")
class EventTypeInfo:
    name: str = strawberry.field(description="The type name, e.g. `customer.updated`.")
    description: str = strawberry.field(description="When it happens.")
    scope: str = strawberry.field(description="The scope needed to receive it.")
    payload_schema: JSON = strawberry.field(
        description="The JSON Schema (2020-12) of the event's `payload`."
    )
    receivable: bool = strawberry.field(description="Whether the caller may receive it.")


@strawberry.enum(description="Where a webhook delivery stands.")
class WebhookDeliveryStatus(Enum):
    PENDING = strawberry.enum_value("pending", description="Queued, or being retried.")
    SUCCEEDED = strawberry.enum_value("succeeded", description="The receiver answered 2xx.")
    FAILED = strawberry.enum_value(
        "failed", description="Dead letter: every attempt for 24 hours failed; see lastError."
    )


@strawberry.type(description="One HTTP request of a webhook delivery.")
class WebhookAttempt:
    number: int = strawberry.field(description="1 for the first attempt, then 2, ...")
    status_code: int | None = strawberry.field(
        description="The receiver's HTTP status; null if no answer (timeout, refused)."
    )
    latency_ms: int = strawberry.field(description="How long the request took, in ms.")
    error: str | None = strawberry.field(description="Why it failed; null on success.")
    created_at: datetime = strawberry.field(description="When it was made.")

    @classmethod
    def from_row(cls, row: models.WebhookAttempt) -> Self:
        return cls(
            number=row.number,
            status_code=row.status_code,
            latency_ms=row.latency_ms,
            error=row.error,
            created_at=row.created_at,
        )


@strawberry.type(description="One event sent (or being sent) to one webhook endpoint.")
class WebhookDelivery(ScopedNode):
    model = models.WebhookDelivery
    read_scope = "webhooks:manage"
    id: relay.NodeID[int]
    status: WebhookDeliveryStatus = strawberry.field(description="Where it stands.")
    replay: bool = strawberry.field(description="True for a manual replay.")
    attempt_count: int = strawberry.field(description="Attempts made so far.")
    last_status_code: int | None = strawberry.field(description="Status of the last attempt.")
    last_error: str | None = strawberry.field(description="Error of the last attempt.")
    first_attempt_at: datetime | None = strawberry.field(description="First attempt.")
    last_attempt_at: datetime | None = strawberry.field(description="Latest attempt.")
    delivered_at: datetime | None = strawberry.field(description="When it succeeded.")
    created_at: datetime = strawberry.field(description="When it was queued.")
    event_id: strawberry.Private[int]

    @strawberry.field(description="The event delivered.")
    async def event(self, info: Info) -> Event:
        row = await info.context.loaders[EventByIdLoader].load(self.event_id)
        return Event.from_row(row)

    @strawberry.field(description="Every attempt, oldest first: status code, latency, error.")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        rows = await info.context.loaders[AttemptsByDeliveryLoader].load(self.id)
        return [WebhookAttempt.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: models.WebhookDelivery) -> Self:
        return cls(
            id=row.id,
            status=WebhookDeliveryStatus(row.status),
            replay=row.replay_no > 0,
            attempt_count=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            first_attempt_at=row.first_attempt_at,
            last_attempt_at=row.last_attempt_at,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
            event_id=row.event_id,
        )


@strawberry.type(description="A URL that receives the tenant's events, signed (Standard Webhooks).")
class WebhookEndpoint(ScopedNode):
    model = models.WebhookEndpoint
    read_scope = "webhooks:manage"
    id: relay.NodeID[int]
    url: str = strawberry.field(description="Where events are POSTed.")
    description: str = strawberry.field(description="What it is for.")
    event_types: list[str] = strawberry.field(
        description="Event types or patterns (`customer.*`, `*`) it receives."
    )
    changed_fields: list[str] = strawberry.field(
        description="Update events are sent only if one of these fields changed (empty: all)."
    )
    enabled: bool = strawberry.field(description="False while disabled: events wait for it.")
    disabled_reason: str | None = strawberry.field(description="Why it was disabled.")
    secret_hint: str = strawberry.field(
        description="The start of the signing secret, to recognise it (the secret itself is "
        "shown only when created or rotated)."
    )
    last_success_at: datetime | None = strawberry.field(description="Last 2xx answer.")
    created_at: datetime = strawberry.field(description="When it was registered.")
    updated_at: datetime = strawberry.field(description="Last change.")

    @strawberry.field(description="Deliveries to this endpoint, newest first.")
    async def deliveries(
        self,
        info: Info,
        status: Annotated[
            WebhookDeliveryStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[WebhookDelivery]:
        qs = await endpoints.deliveries_of(
            info.context.actor, self.id, status.value if status else None
        )
        return await paginate(
            qs,
            first=first,
            after=after,
            order=[OrderKey("id", descending=True)],
            to_node=WebhookDelivery.from_row,
        )

    @classmethod
    def from_row(cls, row: models.WebhookEndpoint) -> Self:
        return cls(
            id=row.id,
            url=row.url,
            description=row.description,
            event_types=list(row.event_types),
            changed_fields=list(row.changed_fields),
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            secret_hint=secret_hint(row.secret),
            last_success_at=row.last_success_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
