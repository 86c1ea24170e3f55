"""The ping workflow: runs the ping activity once and returns its answer."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.ping.activities import ping
    from workflows.ping.inputs import PingInput


@workflow.defn(name="PingWorkflow")
class PingWorkflow:
    """One activity, no retries: answers `pong:<echo>:<worker identity>` or fails fast."""

    @workflow.run
    async def run(self, input: PingInput) -> str:
        return await workflow.execute_activity(
            ping,
            input.echo,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )
