"""Recycle workflows survive their worker being killed while they sleep: with no worker
until after the deadlines, the next worker recycles every lead exactly once, and a
follow-up made in time while no worker ran still keeps its lead (its signal reaches the
workflow after the deadline, which must not make it late). Real dev server, worker
processes killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from api.leads.models import Lead, LeadAssignment, LeadTimelineEvent, LeadTransition
from api.leads.service import follow_ups, holding
from tests.leads.helpers import actor, pool_org, waiting_leads
from workflows.client import set_client
from workflows.devserver import find_executable
from workflows.pools.starter import recycle_workflow_id

DAYS = 0.00025  # 21.6 s: long enough to kill and replace the worker, short for a test
LEADS = 6
POLICY = {
    "validFollowUp": {"kinds": ["call"], "minLength": 5},
    "rules": [{"type": "single", "days": DAYS}],
}


@pytest.fixture
async def dev_env(tmp_path: Path) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"),
        dev_server_database_filename=str(tmp_path / "temporal.sqlite3"),
    )
    try:
        yield env
    finally:
        await env.shutdown()


async def _worker(db: str, env: WorkflowEnvironment, log: Path) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "DATABASE_URL": db,
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": env.client.namespace,
    }
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "api.cli",
            "worker",
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=out,
        )


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(20):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


async def test_killed_worker_still_recycles_every_lead_exactly_once(
    db: str, dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    org, pool = await pool_org(recycle=POLICY)
    stan = await actor(org, "staff")
    leads = await waiting_leads(org, pool, LEADS + 1)
    previous = set_client(dev_env.client)  # the workflows start on the dev server
    try:
        for lead in leads:
            await holding.claim(stan, lead.id)
    finally:
        set_client(previous)
    assignments = {
        a.lead_id: a for a in await LeadAssignment.filter(lead_id__in=[x.id for x in leads])
    }
    assert len(assignments) == LEADS + 1 and all(a.workflow_started for a in assignments.values())
    kept = leads[-1]
    log = tmp_path / "worker.log"

    first = await _worker(db, dev_env, log)
    try:
        # Every workflow ran its first steps (the deadline is stored) and now sleeps.
        async with asyncio.timeout(30):
            while await LeadAssignment.filter(  # noqa: ASYNC110
                id__in=[a.id for a in assignments.values()], deadline_at=None
            ).exists():
                await asyncio.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)  # the crash under test (or cleanup on failure)
        await first.wait()
    assert not await LeadTimelineEvent.filter(
        lead_id__in=[x.id for x in leads], kind="recycled"
    ).exists(), "the deadline passed before the worker was killed"

    previous = set_client(dev_env.client)  # no worker runs: the signal waits on the server
    try:
        await follow_ups.add_follow_up(stan, kept.id, "call", "Called, interested")
    finally:
        set_client(previous)
    # The deadlines pass with no worker: the next one finds the timers fired, and the
    # follow-up, made in time, reaching its workflow only after its deadline.
    last_deadline = max(a.started_at for a in assignments.values()) + timedelta(days=DAYS)
    await asyncio.sleep((last_deadline - datetime.now(UTC)).total_seconds() + 1)

    second = await _worker(db, dev_env, log)
    try:
        for lead in leads:
            assignment = assignments[lead.id]
            handle = dev_env.client.get_workflow_handle(
                recycle_workflow_id(assignment.tenant_id, assignment.id), result_type=str
            )
            async with asyncio.timeout(DAYS * 86400 + 60):
                result = await handle.result()
            assert result == ("kept" if lead is kept else "recycled"), log.read_text()[-3000:]
    finally:
        await _stop(second)

    recycled_ids = [x.id for x in leads[:-1]]
    entries = await LeadTimelineEvent.filter(lead_id__in=recycled_ids, kind="recycled").values_list(
        "lead_id", flat=True
    )
    assert sorted(entries) == sorted(recycled_ids)  # one each
    steps = await LeadTransition.filter(lead_id__in=recycled_ids, step="recycled").values_list(
        "lead_id", flat=True
    )
    assert sorted(steps) == sorted(recycled_ids)
    for lead_id in recycled_ids:
        ended = await LeadAssignment.get(id=assignments[lead_id].id)
        assert ended.end_reason == "recycled"
        assert ended.ended_at - ended.started_at >= timedelta(days=DAYS)
        row = await Lead.get(id=lead_id)
        assert (row.owner_id, row.assignment_id, row.pool_id) == (None, None, pool.id)
    held = await Lead.get(id=kept.id)
    assert held.owner_id == stan.staff_id
    assert (await LeadAssignment.get(id=assignments[kept.id].id)).ended_at is None
