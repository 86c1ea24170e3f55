"""Starting the welcome workflow (called by the staff service after commit)."""

from __future__ import annotations

import settings
from workflows.client import start_workflow_once
from workflows.welcome.inputs import WelcomeInput
from workflows.welcome.workflows import WelcomeStaffWorkflow


def welcome_workflow_id(tenant_id: int, staff_id: int) -> str:
    return f"welcome:{tenant_id}:{staff_id}"


async def start_welcome(tenant_id: int, staff_id: int) -> None:
    await start_workflow_once(
        WelcomeStaffWorkflow.run,
        WelcomeInput(tenant_id=tenant_id, staff_id=staff_id),
        id=welcome_workflow_id(tenant_id, staff_id),
        task_queue=settings.TEMPORAL_TASK_QUEUE,
    )
