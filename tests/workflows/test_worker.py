"""run_worker: serves the registry and shuts down on the stop event or on cancellation."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from workflows.client import set_client
from workflows.health import ping_temporal
from workflows.worker import run_worker


async def test_run_worker_stops_when_the_event_is_set(dev_client: Client, task_queue: str) -> None:
    set_client(dev_client)
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(stop, task_queue=task_queue))
    status = await ping_temporal(dev_client, 5.0, task_queue=task_queue)
    assert status["worker"] is True, status
    stop.set()
    await asyncio.wait_for(task, 5.0)
    status = await ping_temporal(dev_client, 0.5, task_queue=task_queue)
    assert status["worker"] is False


async def test_run_worker_shuts_down_on_cancellation(dev_client: Client, task_queue: str) -> None:
    task = asyncio.create_task(run_worker(client=dev_client, task_queue=task_queue))
    status = await ping_temporal(dev_client, 5.0, task_queue=task_queue)
    assert status["worker"] is True, status
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=5.0)
    assert task in done and task.cancelled()
