"""The recycle workflow of one hold of a lead (id `lead-recycle:<tenant>:<assignment>`).

It sleeps until the rule's next deadline (`api.leads.recycle.next_deadline`), warns the
holder `warnHours` before it, and at the deadline asks the recycling service to take the
lead back. Signals wake it: `action` (a follow-up, material sent or stage reached, counted
at the workflow's own clock) moves the deadline; `end` (released, transferred, marked
invalid, reassigned, deleted, converted) ends it at once.

A signal lost while Temporal was unreachable is not lost for good: the warning and
recycle activities compare the actions in the database with the ids the workflow knows,
and return the unknown ones instead of acting; the workflow counts them and looks again.
An action that reaches the workflow after its deadline passed but before the deadline
was enforced (a worker or Temporal outage, a lost signal) counts as done at the deadline:
it was committed while the lead was still held.
A lost `end` costs nothing: the recycle activity only acts while this very assignment
still holds the lead. The run continues as new when its history grows long, carrying
the actions and the warning state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from api.leads.recycle import Action, next_deadline
    from workflows.pools.activities import (
        note_recycle_deadline,
        recycle_lead,
        warn_before_recycle,
    )
    from workflows.pools.inputs import (
        ActionRecord,
        CheckInput,
        CheckResult,
        DeadlineInput,
        RecycleInput,
        RecycleState,
    )

# Database errors and worker restarts are retried without limit: a hold must not be
# forgotten because the database was briefly away.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
)
ACTIVITY_TIMEOUT = timedelta(seconds=60)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@workflow.defn
class LeadRecycleWorkflow:
    """Watches one hold; returns "recycled", "kept" (the rule is met for good) or
    "ended" (the hold ended otherwise)."""

    @workflow.init
    def __init__(self, data: RecycleInput) -> None:
        # State lives here (not in run) so signals delivered before run starts count.
        self._actions: list[ActionRecord] = []
        self._ids: set[int] = set()
        for record in data.actions:
            self._keep(record)
        self._warned_for = data.warned_for
        self._noted = data.noted_deadline
        self._deadline = next_deadline(
            data.rule, datetime.fromisoformat(data.started_at), self._counted()
        )
        self._ended: str | None = None
        self._changed = False

    # -- signals and queries -------------------------------------------------------------

    @workflow.signal
    def action(self, action: ActionRecord) -> None:
        """The holder did something the rule may count; it counts now (workflow clock)."""
        self._add([action], workflow.now())

    @workflow.signal
    def end(self, reason: str) -> None:
        """The hold ended (released, transferred, invalid, reassigned, deleted, ...)."""
        self._ended = reason or "ended"

    @workflow.query
    def state(self) -> RecycleState:
        """The deadline in force, the deadline last warned about and the actions counted."""
        return RecycleState(
            deadline=_iso(self._deadline),
            warned_for=self._warned_for,
            actions=len(self._actions),
            ended=self._ended,
        )

    # -- the loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, data: RecycleInput) -> str:
        started = datetime.fromisoformat(data.started_at)
        warn_before = timedelta(hours=data.rule.get("warnHours") or 0)
        while True:
            if self._ended is not None:
                return "ended"
            info = workflow.info()
            if (
                info.get_current_history_length() > data.history_limit
                or info.is_continue_as_new_suggested()
            ):
                workflow.continue_as_new(self._carry(data))
            self._changed = False
            deadline = next_deadline(data.rule, started, self._counted())
            self._deadline = deadline
            if _iso(deadline) != self._noted:
                await workflow.execute_activity(
                    note_recycle_deadline,
                    DeadlineInput(data.tenant_id, data.assignment_id, _iso(deadline)),
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=ACTIVITY_RETRY,
                )
                self._noted = _iso(deadline)
                continue  # signals may have come meanwhile
            if deadline is None:
                return "kept"
            now = workflow.now()
            if warn_before and now < deadline and self._warned_for != _iso(deadline):
                if now < deadline - warn_before and await self._woken(deadline - warn_before - now):
                    continue
                result = await self._check(warn_before_recycle, data, deadline)
                if result.status == "ended":
                    return "ended"
                if result.status == "actions":
                    self._add(result.actions, workflow.now())
                else:
                    self._warned_for = _iso(deadline)
                continue
            if now < deadline and await self._woken(deadline - now):
                continue
            result = await self._check(recycle_lead, data, deadline)
            if result.status != "actions":
                return result.status  # recycled | ended
            self._add(result.actions, workflow.now())

    async def _woken(self, delay: timedelta) -> bool:
        """Sleep up to `delay`; True if a signal changed things first."""
        try:
            await workflow.wait_condition(
                lambda: self._changed or self._ended is not None,
                timeout=delay,
                timeout_summary="recycle deadline",
            )
        except TimeoutError:
            return False
        return True

    async def _check(
        self,
        activity: Callable[[CheckInput], Awaitable[CheckResult]],
        data: RecycleInput,
        deadline: datetime,
    ) -> CheckResult:
        return await workflow.execute_activity(
            activity,
            CheckInput(
                tenant_id=data.tenant_id,
                assignment_id=data.assignment_id,
                deadline=deadline.isoformat(),
                now=workflow.now().isoformat(),
                known_ids=sorted(self._ids),
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    # -- state ---------------------------------------------------------------------------

    def _keep(self, record: ActionRecord) -> bool:
        if record.id:
            if record.id in self._ids:
                return False  # a repeated signal, or one the database check found too
            self._ids.add(record.id)
        self._actions.append(record)
        return True

    def _add(self, records: list[ActionRecord], at: datetime) -> None:
        # Committed before the deadline in force was enforced, so done by it at the
        # latest (a worker or Temporal outage must not make an action late).
        if self._deadline is not None and at > self._deadline:
            at = self._deadline
        for record in records:
            stamped = ActionRecord(
                record.kind, record.detail, record.length, record.id, at.isoformat()
            )
            if self._keep(stamped):
                self._changed = True

    def _counted(self) -> list[Action]:
        return [
            Action(
                kind=r.kind,
                at=datetime.fromisoformat(r.at),
                detail=r.detail,
                length=r.length,
                id=r.id,
            )
            for r in self._actions
        ]

    def _carry(self, data: RecycleInput) -> RecycleInput:
        return RecycleInput(
            tenant_id=data.tenant_id,
            assignment_id=data.assignment_id,
            lead_id=data.lead_id,
            rule=data.rule,
            started_at=data.started_at,
            actions=list(self._actions),
            warned_for=self._warned_for,
            noted_deadline=self._noted,
            history_limit=data.history_limit,
        )
