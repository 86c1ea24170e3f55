"""Activities of the lead recycle workflow: thin calls into the recycling service."""

from __future__ import annotations

from datetime import datetime

from temporalio import activity

from api.leads.service import recycling
from workflows.pools.inputs import ActionRecord, CheckInput, CheckResult, DeadlineInput


def _result(outcome: recycling.Outcome) -> CheckResult:
    return CheckResult(
        status=outcome.status,
        actions=[
            ActionRecord(kind=a.kind, detail=a.detail, length=a.length, id=a.id)
            for a in outcome.actions
        ],
    )


@activity.defn
async def note_recycle_deadline(data: DeadlineInput) -> None:
    """Store the assignment's next deadline (while the hold lasts)."""
    deadline = datetime.fromisoformat(data.deadline) if data.deadline else None
    await recycling.note_deadline(data.tenant_id, data.assignment_id, deadline)


@activity.defn
async def warn_before_recycle(data: CheckInput) -> CheckResult:
    """Warn the holder that the lead is recycled at `deadline` (once per deadline)."""
    return _result(
        await recycling.warn_holder(
            data.tenant_id,
            data.assignment_id,
            datetime.fromisoformat(data.deadline),
            data.known_ids,
        )
    )


@activity.defn
async def recycle_lead(data: CheckInput) -> CheckResult:
    """Recycle the lead if this assignment still holds it and nothing unknown happened."""
    return _result(
        await recycling.recycle_assignment(
            data.tenant_id,
            data.assignment_id,
            datetime.fromisoformat(data.now),
            data.known_ids,
        )
    )
