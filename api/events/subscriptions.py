"""Subscription root of the events domain: `events`, resumable from a cursor."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.events import fanout
from api.events.outbox import cursor_of
from api.events.service import reading
from api.events.types import Event
from api.permissions import requires


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(
        description="Events as they commit, oldest first. With `after` (the id of the last "
        "event you processed) it first replays what you missed, then streams live, so a "
        "reconnect misses nothing and repeats nothing. Only the caller's tenant, data "
        "scope, and types its scopes cover (an API key without `customers:read` gets no "
        "customer events). Authenticate in `connection_init`.",
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
            strawberry.argument(description="Resume after this event id; omit to start now."),
        ] = None,
    ) -> AsyncGenerator[Event, None]:
        actor = info.context.actor
        wanted = reading.requested_types(actor, types)
        async for row in fanout.stream(actor, wanted, cursor_of(after)):
            yield Event.from_row(row)
