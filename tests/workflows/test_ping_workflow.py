"""PingWorkflow through a real worker, on the dev server and on the time-skipping server."""

from __future__ import annotations

import uuid

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from workflows.ping.inputs import PingInput
from workflows.ping.workflows import PingWorkflow
from workflows.registry import ACTIVITIES, WORKFLOWS
from workflows.worker import build_worker


async def test_ping_workflow_on_dev_server(dev_client: Client, task_queue: str) -> None:
    async with build_worker(dev_client, task_queue):
        answer = await dev_client.execute_workflow(
            PingWorkflow.run, PingInput(echo="hi"), id=f"ping:{uuid.uuid4()}", task_queue=task_queue
        )
    assert answer == f"pong:hi:{dev_client.identity}"


async def test_ping_workflow_on_time_skipping_server(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    client = temporal_env.client
    async with build_worker(client, task_queue):
        answer = await client.execute_workflow(
            PingWorkflow.run, PingInput(echo="x"), id=f"ping:{uuid.uuid4()}", task_queue=task_queue
        )
    assert answer.startswith("pong:x:")


def test_registry_lists_defined_workflows_and_activities() -> None:
    assert PingWorkflow in WORKFLOWS
    workflow_names = [w.__temporal_workflow_definition.name for w in WORKFLOWS]  # type: ignore[attr-defined]
    activity_names = [a.__temporal_activity_definition.name for a in ACTIVITIES]  # type: ignore[attr-defined]
    assert len(set(workflow_names)) == len(workflow_names)
    assert len(set(activity_names)) == len(activity_names)
