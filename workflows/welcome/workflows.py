"""The welcome workflow: one per new staff member (id `welcome:<tenant>:<staff>`)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.welcome.activities import send_welcome
    from workflows.welcome.inputs import WelcomeInput


@workflow.defn
class WelcomeStaffWorkflow:
    @workflow.run
    async def run(self, data: WelcomeInput) -> int | None:
        return await workflow.execute_activity(
            send_welcome,
            data,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
