"""Waking an endpoint's delivery workflow (signal-with-start), from services after commit."""

from __future__ import annotations

import settings
from workflows.client import get_client
from workflows.webhooks.inputs import PumpInput
from workflows.webhooks.workflows import WebhookPumpWorkflow


def pump_workflow_id(tenant_id: int, endpoint_id: int) -> str:
    return f"webhooks:{tenant_id}:{endpoint_id}"


async def wake_pump(tenant_id: int, endpoint_id: int) -> None:
    """Signal the endpoint's workflow to look for work, starting it if it is not running."""
    client = await get_client()
    await client.start_workflow(
        WebhookPumpWorkflow.run,
        PumpInput(tenant_id=tenant_id, endpoint_id=endpoint_id),
        id=pump_workflow_id(tenant_id, endpoint_id),
        task_queue=settings.TEMPORAL_TASK_QUEUE,
        start_signal="wake",
    )
