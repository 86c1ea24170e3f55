"""Activities of the webhook delivery workflow: thin calls into the delivery service."""

from __future__ import annotations

from temporalio import activity

from api.events.service import delivery
from workflows.webhooks.inputs import (
    AttemptInput,
    AttemptResult,
    BatchInput,
    BatchResult,
    DeadLetterInput,
)


@activity.defn
async def next_webhook_batch(data: BatchInput) -> BatchResult:
    """Queue deliveries for new events and return the endpoint's next pending ones."""
    batch = await delivery.next_batch(data.endpoint_id, data.limit)
    return BatchResult(active=batch.active, delivery_ids=batch.delivery_ids, more=batch.more)


@activity.defn
async def deliver_webhook(data: AttemptInput) -> AttemptResult:
    """One signed HTTP attempt; a failed request is a result, not an activity error."""
    outcome = await delivery.deliver_once(data.delivery_id)
    return AttemptResult(outcome.status, outcome.status_code, outcome.error)


@activity.defn
async def dead_letter_webhook(data: DeadLetterInput) -> bool:
    """Give up on a delivery and disable its endpoint (with a `webhook.disabled` event)."""
    return await delivery.dead_letter(data.delivery_id, data.retry_hours)
