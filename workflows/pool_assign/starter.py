"""Starting and nudging pool auto-assignment workflows (called by the pools service after
commit, and by its maintenance pass). Temporal being unreachable never fails a write:
the maintenance pass starts what is missing."""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.common import WorkflowIDReusePolicy

import settings
from workflows.client import signal_if_running, start_workflow_once
from workflows.pool_assign.inputs import PoolAssignInput
from workflows.pool_assign.workflows import PoolAutoAssignWorkflow

log = logging.getLogger(__name__)
RPC_TIMEOUT = timedelta(seconds=5)


def pool_assign_workflow_id(tenant_id: int, pool_id: int) -> str:
    return f"pool-assign:{tenant_id}:{pool_id}"


async def start_pool_assign(tenant_id: int, pool_id: int) -> bool:
    """Start the pool's workflow unless it runs (a pool switched back to automatic after
    its run ended gets a new run); False if Temporal could not be reached."""
    try:
        await start_workflow_once(
            PoolAutoAssignWorkflow.run,
            PoolAssignInput(
                tenant_id=tenant_id,
                pool_id=pool_id,
                interval_seconds=settings.POOL_SWEEP_SECONDS,
            ),
            id=pool_assign_workflow_id(tenant_id, pool_id),
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            rpc_timeout=RPC_TIMEOUT,
        )
    except Exception as err:
        log.warning("could not start auto-assignment of pool %s: %r", pool_id, err)
        return False
    return True


async def nudge_pool_assign(tenant_id: int, pool_id: int) -> bool:
    """Wake the pool's workflow to sweep now; True when it is not running either."""
    return await signal_if_running(
        pool_assign_workflow_id(tenant_id, pool_id),
        PoolAutoAssignWorkflow.nudge,
        rpc_timeout=RPC_TIMEOUT,
    )
