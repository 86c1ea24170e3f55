"""Handing committed events to webhook endpoints.

The database is the queue: each endpoint keeps a cursor (the last event id it has queued
deliveries for) and its pending deliveries; a long-lived delivery workflow per endpoint
drains them in order (`workflows/webhooks`). After commit, every matching endpoint's
workflow is woken with signal-with-start. When Temporal cannot be reached then, nothing
is lost: the events stay past the endpoint's cursor, and `reconcile()` (run periodically
by each API process, see `api.events.runtime`) wakes every endpoint that is behind.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from api.events import catalogue
from api.events.models import Event, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
WAKE_TIMEOUT_SECONDS = 5.0
_background: set[asyncio.Task[Any]] = set()


def wants(endpoint: WebhookEndpoint, type: str, changed: dict | None) -> bool:
    """Whether the endpoint subscribes to an event: its type matches a pattern, and for
    updates, when the endpoint filters on fields, one of them changed."""
    if not any(catalogue.matches(p, type) for p in endpoint.event_types):
        return False
    if endpoint.changed_fields and changed is not None:
        return bool(set(changed) & set(endpoint.changed_fields))
    return True


async def wake(tenant_id: int, endpoint_id: int) -> bool:
    """Signal (or start) the endpoint's delivery workflow; False if Temporal is away."""
    from workflows.webhooks.starter import wake_pump

    try:
        async with asyncio.timeout(WAKE_TIMEOUT_SECONDS):
            await wake_pump(tenant_id, endpoint_id)
    except Exception as exc:
        log.warning("could not wake webhook endpoint %s (%s); reconcile will", endpoint_id, exc)
        return False
    return True


def wake_later(tenant_id: int, endpoint_id: int) -> None:
    """`wake()` in the background, so a slow Temporal never delays a mutation."""
    task = asyncio.create_task(wake(tenant_id, endpoint_id))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def wake_matching_endpoints(event: Event) -> None:
    """After commit: wake the enabled endpoints of the tenant that want this event."""
    endpoints = await WebhookEndpoint.filter(tenant_id=event.tenant_id, enabled=True)
    for endpoint in endpoints:
        if wants(endpoint, event.type, event.changed):
            wake_later(endpoint.tenant_id, endpoint.id)


async def reconcile() -> int:
    """Wake every enabled endpoint with events past its cursor or pending deliveries;
    the number woken."""
    woken = 0
    for endpoint in await WebhookEndpoint.filter(enabled=True):
        behind = await Event.filter(tenant_id=endpoint.tenant_id, id__gt=endpoint.cursor).exists()
        if not behind:
            behind = await WebhookDelivery.filter(
                endpoint_id=endpoint.id, status="pending"
            ).exists()
        if behind and await wake(endpoint.tenant_id, endpoint.id):
            woken += 1
    return woken


async def drain_background() -> None:
    """Wait for background wake-ups (tests and shutdown)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)
