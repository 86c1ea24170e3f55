"""GraphQL inputs of the events domain (webhook administration and replays)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

IDEMPOTENCY_KEY = (
    "Optional: a key unique to this request (e.g. a UUID). A repeat within 24 hours "
    "returns the first result and changes nothing; a repeat with other input is CONFLICT."
)


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="The http(s) URL events are POSTed to.")
    event_types: list[str] = strawberry.field(
        description="Event types or patterns to receive, e.g. `customer.*` (see `eventTypes`)."
    )
    changed_fields: list[str] | None = strawberry.field(
        default=None,
        description="Send update events only when one of these fields changed.",
    )
    description: str = strawberry.field(default="", description="What it is for.")
    enabled: bool = strawberry.field(default=True, description="Start delivering at once.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay as they are.")
class UpdateWebhookEndpointInput:
    id: relay.GlobalID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(default=None, description="New URL.")
    event_types: list[str] | None = strawberry.field(
        default=None, description="New event types or patterns."
    )
    changed_fields: list[str] | None = strawberry.field(
        default=None, description="New changed-field filter (empty list: no filter)."
    )
    description: str | None = strawberry.field(default=None, description="New description.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Which webhook endpoint.")
class WebhookEndpointIdInput:
    id: relay.GlobalID = strawberry.field(description="The endpoint.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="One event to send to an endpoint again.")
class ReplayWebhookEventInput:
    endpoint_id: relay.GlobalID = strawberry.field(description="The endpoint.")
    event_id: relay.GlobalID = strawberry.field(description="The event.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Every event of a time range to send to an endpoint again.")
class ReplayWebhookEventsInput:
    endpoint_id: relay.GlobalID = strawberry.field(description="The endpoint.")
    since: datetime = strawberry.field(description="Events created at or after this time.")
    until: datetime = strawberry.field(description="... and before this time.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
