"""Delivering events to one webhook endpoint, step by step, for its delivery workflow:
queue the next deliveries from the outbox, send one signed attempt, dead-letter a
delivery and disable its endpoint after persistent failure.

Every step is safe to repeat (activities are retried): queuing is idempotent through the
unique (endpoint, event, replay) constraint, and an attempt on a delivery that is no
longer pending sends nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import orjson

import settings
from api.db import atomic
from api.events.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.events.outbox import emit, envelope
from api.events.service.dispatch import wants
from api.events.signing import signed_headers
from api.org.models import Staff
from api.org.service.notifications import notify
from api.relay import encode_id

SCAN = 500


@dataclass
class Batch:
    """The endpoint's next pending deliveries, in order. `active` is False once the
    endpoint is disabled or deleted; `more` when further work is already waiting."""

    active: bool
    delivery_ids: list[int]
    more: bool


@dataclass
class Outcome:
    """How one attempt went: succeeded, failed (retry later), skipped (the delivery is
    no longer pending) or inactive (the endpoint is disabled or gone)."""

    status: str
    status_code: int | None = None
    error: str | None = None


async def _pending(endpoint_id: int, limit: int) -> list[int]:
    return await (
        WebhookDelivery.filter(endpoint_id=endpoint_id, status="pending")
        .order_by("id")
        .limit(limit)
        .values_list("id", flat=True)
    )


async def next_batch(endpoint_id: int, limit: int) -> Batch:
    """Queue deliveries for events past the endpoint's cursor, then return the oldest
    pending ones. Event ids of a tenant are allocated in commit order, so scanning
    `id > cursor` never passes an event that commits later."""
    async with atomic():
        endpoint = await WebhookEndpoint.filter(id=endpoint_id).select_for_update().first()
        if endpoint is None or not endpoint.enabled:
            return Batch(active=False, delivery_ids=[], more=False)
        pending = await _pending(endpoint.id, limit)
        scanned_all = True
        if len(pending) < limit:
            events = (
                await Event.filter(tenant_id=endpoint.tenant_id, id__gt=endpoint.cursor)
                .order_by("id")
                .limit(SCAN)
                .values("id", "type", "changed")
            )
            if events:
                wanted = [e for e in events if wants(endpoint, e["type"], e["changed"])]
                await WebhookDelivery.bulk_create(
                    [
                        WebhookDelivery(
                            tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id, event_id=e["id"]
                        )
                        for e in wanted
                    ],
                    ignore_conflicts=True,
                )
                await WebhookEndpoint.filter(id=endpoint.id).update(cursor=events[-1]["id"])
                scanned_all = len(events) < SCAN
                pending = await _pending(endpoint.id, limit)
        return Batch(
            active=True, delivery_ids=pending, more=not scanned_all or len(pending) == limit
        )


async def deliver_once(delivery_id: int) -> Outcome:
    """Send one signed attempt of a pending delivery and record it."""
    delivery = await WebhookDelivery.get_or_none(id=delivery_id)
    if delivery is None or delivery.status != "pending":
        return Outcome("skipped")
    endpoint = await WebhookEndpoint.get_or_none(id=delivery.endpoint_id)
    if endpoint is None or not endpoint.enabled:
        return Outcome("inactive")
    event = await Event.get(id=delivery.event_id)
    body = orjson.dumps(envelope(event))
    now = datetime.now(UTC)
    keys = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > now:
        keys.append(endpoint.previous_secret)
    headers = signed_headers(keys, f"evt_{event.id}", int(now.timestamp()), body)
    status_code: int | None = None
    error: str | None = None
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as http:
            response = await http.post(endpoint.url, content=body, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:300]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    latency_ms = int((time.perf_counter() - started) * 1000)
    await _record(delivery, status_code, latency_ms, error)
    return Outcome("succeeded" if error is None else "failed", status_code, error)


async def _record(
    delivery: WebhookDelivery, status_code: int | None, latency_ms: int, error: str | None
) -> None:
    now = datetime.now(UTC)
    async with atomic():
        number = await WebhookAttempt.filter(delivery_id=delivery.id).count() + 1
        await WebhookAttempt.create(
            tenant_id=delivery.tenant_id,
            delivery_id=delivery.id,
            number=number,
            status_code=status_code,
            latency_ms=latency_ms,
            error=error,
        )
        changes: dict = {
            "attempts": number,
            "last_status_code": status_code,
            "last_error": error,
            "last_attempt_at": now,
        }
        if delivery.first_attempt_at is None:
            changes["first_attempt_at"] = now
        if error is None:
            changes.update(status="succeeded", delivered_at=now)
            await WebhookEndpoint.filter(id=delivery.endpoint_id).update(last_success_at=now)
        await WebhookDelivery.filter(id=delivery.id, status="pending").update(**changes)


def endpoint_state(endpoint: WebhookEndpoint) -> dict:
    """The endpoint as events carry it (never its secret)."""
    return {
        "id": encode_id("WebhookEndpoint", endpoint.id),
        "url": endpoint.url,
        "eventTypes": list(endpoint.event_types),
        "changedFields": list(endpoint.changed_fields),
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
        "lastSuccessAt": endpoint.last_success_at,
    }


async def dead_letter(delivery_id: int, retry_hours: float) -> bool:
    """Give up on a delivery (status failed, with its last error), disable its endpoint,
    and tell the tenant: a `webhook.disabled` event and a notification to each admin.
    True when the endpoint was disabled here."""
    async with atomic():
        delivery = await WebhookDelivery.get_or_none(id=delivery_id)
        if delivery is None:
            return False
        await WebhookDelivery.filter(id=delivery.id, status="pending").update(status="failed")
        endpoint = await WebhookEndpoint.filter(id=delivery.endpoint_id).select_for_update().first()
        if endpoint is None or not endpoint.enabled:
            return False
        reason = (
            f"Disabled after {delivery.attempts} failed attempts over {retry_hours:g} hours; "
            f"last error: {delivery.last_error}"
        )[:500]
        endpoint.enabled = False
        endpoint.disabled_reason = reason
        await endpoint.save(update_fields=["enabled", "disabled_reason", "updated_at"])
        payload = {
            **endpoint_state(endpoint),
            "deadLetter": {
                "deliveryId": encode_id("WebhookDelivery", delivery.id),
                "eventId": encode_id("Event", delivery.event_id),
                "attempts": delivery.attempts,
                "lastStatusCode": delivery.last_status_code,
                "lastError": delivery.last_error,
            },
        }
        await emit(
            None,
            "webhook.disabled",
            "webhook_endpoint",
            endpoint.id,
            payload,
            tenant_id=endpoint.tenant_id,
        )
        for admin in await Staff.filter(tenant_id=endpoint.tenant_id, active=True):
            if "admin" in admin.roles:
                await notify(
                    endpoint.tenant_id,
                    admin.id,
                    kind="webhook_disabled",
                    title="A webhook endpoint was disabled",
                    body=f"{endpoint.url}: {reason}",
                    dedup_key=f"webhook-disabled:{endpoint.id}:{delivery.id}",
                )
    return True
