"""The delivery workflow of one webhook endpoint (id `webhooks:<tenant>:<endpoint>`).

It drains the endpoint's deliveries strictly one after the other, in event order (so
events of each entity arrive in order too), retrying a failed delivery with exponential
backoff (5 s doubling to 1 h) for 24 hours; then it dead-letters the delivery, disables
the endpoint (a `webhook.disabled` event tells the admins) and ends. The queue itself is
in the database (`api.events.service.delivery`): the workflow keeps no state a restart,
continue-as-new or replay could lose. It sleeps while idle until woken by a signal (sent
after each matching commit) or an hourly timer, and ends when the endpoint is disabled or
deleted; the next wake-up starts it again.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.webhooks.activities import (
        dead_letter_webhook,
        deliver_webhook,
        next_webhook_batch,
    )
    from workflows.webhooks.inputs import (
        AttemptInput,
        BatchInput,
        DeadLetterInput,
        PumpInput,
    )

# Activity errors (database unreachable, worker restart) are retried without limit;
# failed HTTP requests are not errors but results, retried by the workflow below.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5)
)
ACTIVITY_TIMEOUT = timedelta(seconds=90)
IDLE_WAKE = timedelta(hours=1)
ROUNDS_PER_RUN = 200


@workflow.defn
class WebhookPumpWorkflow:
    def __init__(self) -> None:
        self._woken = False

    @workflow.signal
    def wake(self) -> None:
        """New work may be waiting (events committed, endpoint changed, replays queued)."""
        self._woken = True

    @workflow.run
    async def run(self, data: PumpInput) -> str:
        for _ in range(ROUNDS_PER_RUN):
            self._woken = False
            batch = await workflow.execute_activity(
                next_webhook_batch,
                BatchInput(endpoint_id=data.endpoint_id),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
            if not batch.active:
                return "stopped"
            for delivery_id in batch.delivery_ids:
                if not await self._deliver(data, delivery_id):
                    return "stopped"
            if not batch.delivery_ids and not batch.more:
                await workflow.wait_condition(lambda: self._woken, timeout=IDLE_WAKE)
            if workflow.info().is_continue_as_new_suggested():
                break
        workflow.continue_as_new(data)

    async def _deliver(self, data: PumpInput, delivery_id: int) -> bool:
        """Deliver one event, retrying; False when the endpoint stopped taking events."""
        failures = 0
        first_failure = None
        while True:
            result = await workflow.execute_activity(
                deliver_webhook,
                AttemptInput(delivery_id=delivery_id),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
            if result.status in ("succeeded", "skipped"):
                return True
            if result.status == "inactive":
                return False
            now = workflow.now()
            first_failure = first_failure or now
            if now - first_failure >= timedelta(hours=data.retry_hours):
                await workflow.execute_activity(
                    dead_letter_webhook,
                    DeadLetterInput(delivery_id=delivery_id, retry_hours=data.retry_hours),
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=ACTIVITY_RETRY,
                )
                return False
            delay = min(data.initial_backoff_seconds * 2**failures, data.max_backoff_seconds)
            failures += 1
            await workflow.sleep(delay)
