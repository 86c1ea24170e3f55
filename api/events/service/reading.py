"""Reading the outbox: which event types a caller asked for and may receive, and pages
of events for polling."""

from __future__ import annotations

from collections.abc import Sequence

from api.auth import Actor
from api.errors import FieldErrors, Forbidden
from api.events import catalogue
from api.events.models import Event
from api.events.outbox import visible_events
from api.relay import check_page_size


def requested_types(actor: Actor, requested: Sequence[str] | None) -> set[str]:
    """The type names a caller asked for (names or patterns; None = every type) that its
    scopes cover. Naming a type the caller may not receive is FORBIDDEN; a pattern just
    leaves such types out."""
    actor.require("events:read")
    receivable = catalogue.receivable(actor)
    if requested is None:
        return receivable
    errors = FieldErrors(prefix=())
    wanted: set[str] = set()
    for i, value in enumerate(requested):
        if not catalogue.valid_pattern(value):
            errors.add(("types", i), "pattern", "Use a type name, `prefix.*` or `*`")
        elif catalogue.is_pattern(value):
            wanted |= catalogue.matching([value])
        else:
            try:
                spec = catalogue.event_type(value)
            except ValueError:
                errors.add(("types", i), "enum", f"Unknown event type {value!r}")
                continue
            if spec.name not in receivable:
                raise Forbidden(f"Receiving {spec.name} requires the {spec.scope} permission")
            wanted.add(spec.name)
    errors.raise_if_any()
    return wanted & receivable


async def page_of_events(
    actor: Actor, types: set[str], after: int | None, first: int | None
) -> tuple[list[Event], bool]:
    """Events after the cursor in id order, at most `first`, and whether more follow."""
    limit = check_page_size(first)
    qs = visible_events(actor, types)
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = await qs.order_by("id").limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def count_events(actor: Actor, types: set[str], after: int | None) -> int:
    qs = visible_events(actor, types)
    if after is not None:
        qs = qs.filter(id__gt=after)
    return await qs.count()
