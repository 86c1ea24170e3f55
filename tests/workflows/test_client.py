"""get_client caching and injection; start_workflow_once starts one execution per id."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

import settings
from workflows.client import close_client, get_client, set_client, start_workflow_once
from workflows.ping.inputs import PingInput
from workflows.ping.workflows import PingWorkflow
from workflows.worker import build_worker


async def test_get_client_connects_once_to_the_configured_server(
    dev_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = dev_client.service_client.config.target_host
    monkeypatch.setattr(settings, "TEMPORAL_ADDRESS", target)
    first = await get_client()
    assert first is await get_client()
    assert first.service_client.config.target_host == target
    assert first.namespace == settings.TEMPORAL_NAMESPACE
    await close_client()
    assert await get_client() is not first


async def test_set_client_injects(dev_client: Client) -> None:
    set_client(dev_client)
    assert await get_client() is dev_client
    set_client(None)


async def test_running_workflow_is_started_once(dev_client: Client, task_queue: str) -> None:
    workflow_id = f"test-once:{uuid.uuid4()}"
    # No worker on this queue: the workflow stays running.
    first = await start_workflow_once(
        PingWorkflow.run,
        PingInput(echo="1"),
        id=workflow_id,
        task_queue=task_queue,
        client=dev_client,
    )
    second = await start_workflow_once(
        PingWorkflow.run,
        PingInput(echo="2"),
        id=workflow_id,
        task_queue=task_queue,
        client=dev_client,
    )
    try:
        assert first.first_execution_run_id is not None
        assert second.run_id == first.first_execution_run_id
        described = await dev_client.get_workflow_handle(workflow_id).describe()
        assert described.run_id == first.first_execution_run_id
        assert described.status == WorkflowExecutionStatus.RUNNING
    finally:
        await first.terminate()


async def test_completed_workflow_is_not_started_again(dev_client: Client, task_queue: str) -> None:
    set_client(dev_client)  # start_workflow_once uses get_client() when given none
    workflow_id = f"test-once:{uuid.uuid4()}"
    async with build_worker(dev_client, task_queue):
        first = await start_workflow_once(
            PingWorkflow.run, PingInput(echo="1"), id=workflow_id, task_queue=task_queue
        )
        assert (await first.result()).startswith("pong:1:")
        second = await start_workflow_once(
            PingWorkflow.run, PingInput(echo="2"), id=workflow_id, task_queue=task_queue
        )
        assert second.run_id == first.first_execution_run_id
        assert (await second.result()).startswith("pong:1:")
    runs = [w.run_id async for w in dev_client.list_workflows(f'WorkflowId = "{workflow_id}"')]
    assert runs in ([], [first.first_execution_run_id])  # visibility may lag, never 2 runs


async def test_start_once_by_name_on_time_skipping_server(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    client = temporal_env.client
    workflow_id = f"test-once:{uuid.uuid4()}"
    async with build_worker(client, task_queue):
        first = await start_workflow_once(
            "PingWorkflow",
            PingInput(echo="a"),
            id=workflow_id,
            task_queue=task_queue,
            client=client,
            result_type=str,
        )
        second = await start_workflow_once(
            "PingWorkflow",
            PingInput(echo="b"),
            id=workflow_id,
            task_queue=task_queue,
            client=client,
            result_type=str,
        )
        assert await second.result() == await first.result()
        assert second.run_id == first.first_execution_run_id
