"""Webhook endpoints: registered per tenant by admins, with a server-generated secret shown
once; updated, enabled, disabled, deleted, their secret rotated; events replayed to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max
from tortoise.queryset import QuerySet

from api.auth import Actor
from api.db import after_commit, atomic, get_scoped, scoped
from api.errors import Conflict, FieldErrors, invalid
from api.events import catalogue
from api.events.models import Event, WebhookDelivery, WebhookEndpoint
from api.events.outbox import head
from api.events.service.dispatch import wake, wants
from api.events.signing import new_secret

MAX_PATTERNS = 50
MAX_FIELDS = 100
MAX_REPLAY = 1000
# A rotated-out secret keeps signing (beside the new one) this long.
ROTATION_GRACE = timedelta(hours=24)


def _check_url(errors: FieldErrors, url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    parts = urlsplit(url)
    errors.check(
        parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 2000,
        ("url",),
        "format",
        "Give an http(s) URL of at most 2000 characters",
    )
    return url


def _check_types(actor: Actor, errors: FieldErrors, patterns: Sequence[str] | None) -> list[str]:
    if patterns is None:
        return []
    errors.check(
        0 < len(patterns) <= MAX_PATTERNS,
        ("eventTypes",),
        "length",
        f"Give 1-{MAX_PATTERNS} event types or patterns",
    )
    for i, pattern in enumerate(patterns):
        matched = catalogue.matching([pattern]) if catalogue.valid_pattern(pattern) else set()
        if not matched:
            errors.add(("eventTypes", i), "enum", f"{pattern!r} matches no event type")
        for name in sorted(matched):
            scope = catalogue.event_type(name).scope
            if not actor.has_scope(scope):
                errors.add(("eventTypes", i), "grantable", f"Receiving {name} needs {scope}")
    return sorted(set(patterns))


def _check_fields(errors: FieldErrors, fields: Sequence[str] | None) -> list[str]:
    if fields is None:
        return []
    errors.check(len(fields) <= MAX_FIELDS, ("changedFields",), "length", "Too many fields")
    for i, name in enumerate(fields):
        errors.check(0 < len(name) <= 100, ("changedFields", i), "length", "1-100 characters")
    return sorted(set(fields))


def _wake_after_commit(endpoint: WebhookEndpoint) -> None:
    async def wake_it() -> None:
        await wake(endpoint.tenant_id, endpoint.id)

    after_commit(wake_it)


async def create_endpoint(
    actor: Actor,
    *,
    url: str,
    event_types: Sequence[str],
    changed_fields: Sequence[str] | None = None,
    description: str = "",
    enabled: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown once). It receives events committed from now
    on; older ones can be replayed."""
    actor.require("webhooks:manage")
    errors = FieldErrors()
    url = _check_url(errors, url) or ""
    patterns = _check_types(actor, errors, event_types)
    fields = _check_fields(errors, changed_fields)
    errors.check(len(description) <= 500, ("description",), "length", "At most 500 characters")
    errors.raise_if_any()
    secret = new_secret()
    async with atomic():
        endpoint = await WebhookEndpoint.create(
            tenant_id=actor.tenant_id,
            url=url,
            description=description.strip(),
            event_types=patterns,
            changed_fields=fields,
            secret=secret,
            enabled=enabled,
            cursor=await head(actor.tenant_id),
            created_by_id=actor.staff_id,
        )
        if enabled:
            _wake_after_commit(endpoint)
    return endpoint, secret


async def update_endpoint(
    actor: Actor,
    endpoint_id: int,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    changed_fields: Sequence[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change an endpoint; new patterns apply to events not yet queued for it."""
    actor.require("webhooks:manage")
    endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id)
    errors = FieldErrors()
    url = _check_url(errors, url)
    patterns = _check_types(actor, errors, event_types)
    fields = _check_fields(errors, changed_fields)
    if description is not None:
        errors.check(len(description) <= 500, ("description",), "length", "At most 500")
    errors.raise_if_any()
    async with atomic():
        endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id, for_update=True)
        if url is not None:
            endpoint.url = url
        if event_types is not None:
            endpoint.event_types = patterns
        if changed_fields is not None:
            endpoint.changed_fields = fields
        if description is not None:
            endpoint.description = description.strip()
        await endpoint.save()
        if endpoint.enabled:
            _wake_after_commit(endpoint)
    return endpoint


async def delete_endpoint(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """Delete an endpoint with its deliveries; its workflow stops at its next step."""
    actor.require("webhooks:manage")
    async with atomic():
        endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id, for_update=True)
        await WebhookEndpoint.filter(id=endpoint.id).delete()
        _wake_after_commit(endpoint)
    return endpoint


async def rotate_secret(actor: Actor, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """A new secret (shown once); the old one keeps signing beside it for 24 hours, so
    receivers can switch without missing a delivery."""
    actor.require("webhooks:manage")
    secret = new_secret()
    async with atomic():
        endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id, for_update=True)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = datetime.now(UTC) + ROTATION_GRACE
        endpoint.secret = secret
        await endpoint.save()
    return endpoint, secret


async def set_enabled(actor: Actor, endpoint_id: int, enabled: bool) -> WebhookEndpoint:
    """Enable (deliveries resume where they stopped) or disable an endpoint."""
    actor.require("webhooks:manage")
    async with atomic():
        endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id, for_update=True)
        endpoint.enabled = enabled
        endpoint.disabled_reason = None if enabled else "Disabled by an administrator"
        await endpoint.save()
        _wake_after_commit(endpoint)
    return endpoint


async def _queue_replays(endpoint: WebhookEndpoint, event_ids: list[int]) -> list[WebhookDelivery]:
    latest = {
        row["event_id"]: row["top"]
        for row in await WebhookDelivery.filter(endpoint_id=endpoint.id, event_id__in=event_ids)
        .annotate(top=Max("replay_no"))
        .group_by("event_id")
        .values("event_id", "top")
    }
    rows = [
        WebhookDelivery(
            tenant_id=endpoint.tenant_id,
            endpoint_id=endpoint.id,
            event_id=event_id,
            replay_no=(latest.get(event_id) or 0) + 1,
        )
        for event_id in event_ids
    ]
    try:
        async with atomic():
            await WebhookDelivery.bulk_create(rows)
            if endpoint.enabled:
                _wake_after_commit(endpoint)
    except IntegrityError as exc:
        raise Conflict("A replay of these events is being queued already; retry") from exc
    numbers = {(r.event_id, r.replay_no) for r in rows}
    queued = await WebhookDelivery.filter(
        endpoint_id=endpoint.id, event_id__in=event_ids, replay_no__gt=0
    ).order_by("id")
    return [d for d in queued if (d.event_id, d.replay_no) in numbers]


async def replay_event(actor: Actor, endpoint_id: int, event_id: int) -> list[WebhookDelivery]:
    """Send one event to an endpoint again (also after it was dead-lettered)."""
    actor.require("webhooks:manage")
    endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id)
    event = await get_scoped(actor, Event, event_id)
    if not wants(endpoint, event.type, None):
        raise invalid(["input", "eventId"], "subscribed", "The endpoint does not take this type")
    if event.id > endpoint.cursor:
        raise invalid(["input", "eventId"], "queued", "Not delivered yet: it is on its way")
    return await _queue_replays(endpoint, [event.id])


async def replay_range(
    actor: Actor, endpoint_id: int, since: datetime, until: datetime
) -> list[WebhookDelivery]:
    """Send again every event the endpoint subscribes to, created in [since, until)."""
    actor.require("webhooks:manage")
    endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id)
    if until <= since:
        raise invalid(["input", "until"], "range", "`until` must be after `since`")
    candidates = (
        await scoped(actor, Event)
        .filter(created_at__gte=since, created_at__lt=until, id__lte=endpoint.cursor)
        .order_by("id")
        .limit(MAX_REPLAY * 10)
        .values("id", "type")
    )
    ids = [c["id"] for c in candidates if wants(endpoint, c["type"], None)]
    if len(ids) > MAX_REPLAY:
        raise invalid(["input"], "maxItems", f"More than {MAX_REPLAY} events; narrow the range")
    return await _queue_replays(endpoint, ids) if ids else []


def visible_endpoints(actor: Actor) -> QuerySet[WebhookEndpoint]:
    actor.require("webhooks:manage")
    return scoped(actor, WebhookEndpoint)


async def deliveries_of(
    actor: Actor, endpoint_id: int, status: str | None
) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries (NOT_FOUND for another tenant's endpoint)."""
    actor.require("webhooks:manage")
    endpoint = await get_scoped(actor, WebhookEndpoint, endpoint_id)
    qs = scoped(actor, WebhookDelivery).filter(endpoint_id=endpoint.id)
    return qs.filter(status=status) if status else qs
