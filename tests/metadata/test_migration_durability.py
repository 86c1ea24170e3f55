"""A schema migration survives its worker being killed mid-way: a new worker finishes
it, and every record is migrated and counted exactly once (real dev server, worker in a
separate process killed with SIGKILL)."""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

import settings
from api.customers.models import Customer
from api.metadata.models import SchemaMigration
from tests.conftest import GQL
from tests.customers.helpers import FIELDS, PUBLISH, SAVE_DRAFT, org_with_fields
from workflows.client import set_client
from workflows.devserver import find_executable
from workflows.schema_migration.starter import migration_workflow_id

RECORDS = 120


@pytest.fixture
async def dev_env(tmp_path) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"),
        dev_server_database_filename=str(tmp_path / "temporal.sqlite3"),
    )
    try:
        yield env
    finally:
        await env.shutdown()


async def _worker(db: str, env: WorkflowEnvironment) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "DATABASE_URL": db,
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": env.client.namespace,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.cli",
        "worker",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_killed_worker_mid_migration_finishes_exactly_once(
    gql: GQL, db: str, dev_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await org_with_fields(gql)
    await Customer.bulk_create(
        [
            Customer(tenant_id=org.tenant.id, name=f"M{i}", fields={"level": "C"}, schema_version=1)
            for i in range(RECORDS)
        ]
    )
    doc = copy.deepcopy(FIELDS)
    level = next(f for f in doc["fields"] if f["key"] == "level")
    level["rules"]["options"] = [o for o in level["rules"]["options"] if o["value"] != "C"]
    admin = gql.as_(org.token("admin"))
    await admin.ok(SAVE_DRAFT, {"doc": doc})
    monkeypatch.setattr(settings, "SCHEMA_MIGRATION_BATCH_SIZE", 4)
    previous = set_client(dev_env.client)  # the migration starts on the dev server
    try:
        await admin.ok(PUBLISH, {"migration": {"option_map": {"level": {"C": "A"}}}})
    finally:
        set_client(previous)
    migration = await SchemaMigration.filter(tenant_id=org.tenant.id).order_by("-id").first()
    assert migration.total == RECORDS

    first = await _worker(db, dev_env)
    try:
        async with asyncio.timeout(60):
            while (await SchemaMigration.get(id=migration.id)).migrated < 12:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    finally:
        first.send_signal(signal.SIGKILL)  # the crash under test (or cleanup on failure)
        await first.wait()
    killed_at = (await SchemaMigration.get(id=migration.id)).migrated
    assert killed_at < RECORDS, "the worker finished before it could be killed"

    second = await _worker(db, dev_env)
    try:
        handle = dev_env.client.get_workflow_handle(migration_workflow_id(migration.id))
        async with asyncio.timeout(90):
            assert await handle.result() == "done"
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(20):
                await second.wait()
        except TimeoutError:
            second.kill()
            await second.wait()
    done = await SchemaMigration.get(id=migration.id)
    assert (done.status, done.migrated, done.failed) == ("done", RECORDS, 0)
    rows = await Customer.filter(tenant_id=org.tenant.id, name__startswith="M").values_list(
        "fields", "schema_version"
    )
    assert len(rows) == RECORDS
    assert all(f == {"level": "A"} and v == 2 for f, v in rows)
