"""Starting and signalling lead recycle workflows (called by the recycling service after
commit). A Temporal that cannot be reached must not fail the user's write: each helper
logs and reports False, and the maintenance pass or the workflow's own database check
repairs what was missed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from workflows.client import signal_if_running, start_workflow_once
from workflows.pools.inputs import ActionRecord, RecycleInput
from workflows.pools.workflows import LeadRecycleWorkflow

log = logging.getLogger(__name__)

# A user's request waits for these calls (after its commit): keep them short.
RPC_TIMEOUT = timedelta(seconds=5)


def recycle_workflow_id(tenant_id: int, assignment_id: int) -> str:
    return f"lead-recycle:{tenant_id}:{assignment_id}"


async def start_recycle(
    tenant_id: int,
    assignment_id: int,
    lead_id: int,
    rule: dict[str, Any],
    started_at: datetime,
) -> bool:
    """Start the assignment's workflow once (a repeat finds the first); False if
    Temporal could not be reached."""
    try:
        await start_workflow_once(
            LeadRecycleWorkflow.run,
            RecycleInput(
                tenant_id=tenant_id,
                assignment_id=assignment_id,
                lead_id=lead_id,
                rule=rule,
                started_at=started_at.isoformat(),
            ),
            id=recycle_workflow_id(tenant_id, assignment_id),
            rpc_timeout=RPC_TIMEOUT,
        )
    except Exception as err:
        log.warning("could not start the recycle workflow of assignment %s: %r", assignment_id, err)
        return False
    return True


async def signal_action(tenant_id: int, assignment_id: int, action: ActionRecord) -> bool:
    """Tell the workflow the holder did something; False if Temporal was unreachable
    (the workflow finds the action in the database before it acts)."""
    return await signal_if_running(
        recycle_workflow_id(tenant_id, assignment_id),
        LeadRecycleWorkflow.action,
        action,
        rpc_timeout=RPC_TIMEOUT,
    )


async def signal_end(tenant_id: int, assignment_id: int, reason: str) -> bool:
    """Tell the workflow its hold ended; False if Temporal was unreachable (the workflow
    then finds the hold ended when it next checks)."""
    return await signal_if_running(
        recycle_workflow_id(tenant_id, assignment_id),
        LeadRecycleWorkflow.end,
        reason,
        rpc_timeout=RPC_TIMEOUT,
    )
