"""Mutation root of the events domain: webhook endpoints (secrets shown once), secret
rotation, enabling, and replays."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.events.inputs import (
    CreateWebhookEndpointInput,
    ReplayWebhookEventInput,
    ReplayWebhookEventsInput,
    UpdateWebhookEndpointInput,
    WebhookEndpointIdInput,
)
from api.events.service import endpoints
from api.events.types import WebhookDelivery, WebhookEndpoint
from api.permissions import requires
from api.relay import decode_id, encode_id

MANAGE = requires("webhooks:manage")


@strawberry.type(description="A webhook endpoint with its signing secret, shown only here.")
class WebhookSecretPayload:
    webhook_endpoint: WebhookEndpoint = strawberry.field(description="The endpoint.")
    secret: str = strawberry.field(
        description="The signing secret (`whsec_...`). Store it now: it is not shown again."
    )


@strawberry.type(description="The webhook endpoint changed.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint = strawberry.field(description="The endpoint.")


@strawberry.type(description="The webhook endpoint deleted.")
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID = strawberry.field(description="The id it had.")


@strawberry.type(description="Deliveries queued by a replay.")
class ReplayWebhookPayload:
    count: int = strawberry.field(description="How many events were queued.")
    deliveries: list[WebhookDelivery] = strawberry.field(description="The queued deliveries.")


def _input() -> Any:
    return strawberry.argument(description="The input; see its type.")


@strawberry.type
class EventMutations:
    @strawberry.mutation(
        description="Register a webhook endpoint; it receives events committed from now on, "
        "signed with a new secret returned here once.",
        extensions=MANAGE,
    )
    async def create_webhook_endpoint(
        self, info: Info, input: Annotated[CreateWebhookEndpointInput, _input()]
    ) -> WebhookSecretPayload:
        row, secret = await endpoints.create_endpoint(
            info.context.actor,
            url=input.url,
            event_types=input.event_types,
            changed_fields=input.changed_fields,
            description=input.description,
            enabled=input.enabled,
        )
        return WebhookSecretPayload(webhook_endpoint=WebhookEndpoint.from_row(row), secret=secret)

    @strawberry.mutation(description="Change a webhook endpoint.", extensions=MANAGE)
    async def update_webhook_endpoint(
        self, info: Info, input: Annotated[UpdateWebhookEndpointInput, _input()]
    ) -> WebhookEndpointPayload:
        row = await endpoints.update_endpoint(
            info.context.actor,
            decode_id(input.id, "WebhookEndpoint"),
            url=input.url,
            event_types=input.event_types,
            changed_fields=input.changed_fields,
            description=input.description,
        )
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(
        description="Delete a webhook endpoint and its delivery history.", extensions=MANAGE
    )
    async def delete_webhook_endpoint(
        self, info: Info, input: Annotated[WebhookEndpointIdInput, _input()]
    ) -> DeleteWebhookEndpointPayload:
        row = await endpoints.delete_endpoint(
            info.context.actor, decode_id(input.id, "WebhookEndpoint")
        )
        return DeleteWebhookEndpointPayload(
            deleted_id=strawberry.ID(encode_id("WebhookEndpoint", row.id))
        )

    @strawberry.mutation(
        description="Give an endpoint a new signing secret, returned here once. The old one "
        "keeps signing beside it for 24 hours (two `v1,` signatures), so receivers can "
        "switch without missing a delivery.",
        extensions=MANAGE,
    )
    async def rotate_webhook_secret(
        self, info: Info, input: Annotated[WebhookEndpointIdInput, _input()]
    ) -> WebhookSecretPayload:
        row, secret = await endpoints.rotate_secret(
            info.context.actor, decode_id(input.id, "WebhookEndpoint")
        )
        return WebhookSecretPayload(webhook_endpoint=WebhookEndpoint.from_row(row), secret=secret)

    @strawberry.mutation(
        description="Enable an endpoint: deliveries resume with the first event it has not "
        "received (after an automatic disabling, replay the dead letter if needed).",
        extensions=MANAGE,
    )
    async def enable_webhook_endpoint(
        self, info: Info, input: Annotated[WebhookEndpointIdInput, _input()]
    ) -> WebhookEndpointPayload:
        row = await endpoints.set_enabled(
            info.context.actor, decode_id(input.id, "WebhookEndpoint"), True
        )
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(
        description="Disable an endpoint: events wait for it until it is enabled again.",
        extensions=MANAGE,
    )
    async def disable_webhook_endpoint(
        self, info: Info, input: Annotated[WebhookEndpointIdInput, _input()]
    ) -> WebhookEndpointPayload:
        row = await endpoints.set_enabled(
            info.context.actor, decode_id(input.id, "WebhookEndpoint"), False
        )
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(
        description="Send one already delivered (or dead-lettered) event to an endpoint again, "
        "with the same `webhook-id`.",
        extensions=MANAGE,
    )
    async def replay_webhook_event(
        self, info: Info, input: Annotated[ReplayWebhookEventInput, _input()]
    ) -> ReplayWebhookPayload:
        rows = await endpoints.replay_event(
            info.context.actor,
            decode_id(input.endpoint_id, "WebhookEndpoint"),
            decode_id(input.event_id, "Event"),
        )
        return ReplayWebhookPayload(
            count=len(rows), deliveries=[WebhookDelivery.from_row(r) for r in rows]
        )

    @strawberry.mutation(
        description="Send again every event of a time range that the endpoint subscribes to "
        "(at most 1000; in event order).",
        extensions=MANAGE,
    )
    async def replay_webhook_events(
        self, info: Info, input: Annotated[ReplayWebhookEventsInput, _input()]
    ) -> ReplayWebhookPayload:
        rows = await endpoints.replay_range(
            info.context.actor,
            decode_id(input.endpoint_id, "WebhookEndpoint"),
            input.since,
            input.until,
        )
        return ReplayWebhookPayload(
            count=len(rows), deliveries=[WebhookDelivery.from_row(r) for r in rows]
        )
