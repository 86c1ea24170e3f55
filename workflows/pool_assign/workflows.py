"""The auto-assignment workflow of one pool (id `pool-assign:<tenant>:<pool>`).

New, recycled and transferred leads are auto-assigned at once by the services; a lead
left waiting (everyone at their cap or off their online hours, or released) starts this
workflow, which assigns such leads as capacity frees up. It sweeps the pool in batches,
then waits `interval_seconds`, doubling the wait after each sweep that assigned nothing
(up to 12 intervals), or less when signalled `nudge` (new member settings). It ends when
nothing waits any more, or when the pool is archived or switched to manual.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.pool_assign.activities import sweep_pool
    from workflows.pool_assign.inputs import PoolAssignInput

SWEEPS_PER_RUN = 500  # continue as new after this many sweeps, to keep history short
MAX_BACKOFF = 12  # the longest wait, in intervals


@workflow.defn
class PoolAutoAssignWorkflow:
    """Sweeps one pool's waiting leads; returns "done" when none wait, "stopped" when
    the pool no longer assigns automatically."""

    def __init__(self) -> None:
        self._nudged = False

    @workflow.signal
    def nudge(self) -> None:
        """Capacity or settings changed: sweep now."""
        self._nudged = True

    @workflow.run
    async def run(self, data: PoolAssignInput) -> str:
        idle = 0
        for _ in range(SWEEPS_PER_RUN):
            self._nudged = False
            result = await workflow.execute_activity(
                sweep_pool,
                data,
                start_to_close_timeout=timedelta(minutes=5),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            )
            if not result.active:
                return "stopped"
            if not result.waiting:
                return "done"
            if result.assigned >= data.batch:
                continue  # a full batch: more may be assignable now
            idle = 0 if result.assigned else idle + 1
            wait = data.interval_seconds * min(2**idle, MAX_BACKOFF)
            try:
                await workflow.wait_condition(lambda: self._nudged, timeout=timedelta(seconds=wait))
                idle = 0
            except TimeoutError:
                pass
        workflow.continue_as_new(data)
