"""Activities of the pool auto-assignment workflow: thin calls into the holding service."""

from __future__ import annotations

from temporalio import activity

from api.leads.service import holding
from workflows.pool_assign.inputs import PoolAssignInput, SweepResult


@activity.defn
async def sweep_pool(data: PoolAssignInput) -> SweepResult:
    """Auto-assign up to `batch` of the pool's waiting leads to staff online and under
    their cap."""
    assigned, waiting, active = await holding.sweep_pool(data.tenant_id, data.pool_id, data.batch)
    return SweepResult(assigned=assigned, waiting=waiting, active=active)
