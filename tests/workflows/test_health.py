"""ping_temporal: server and worker liveness, answered within the timeout."""

from __future__ import annotations

import time

from temporalio.client import Client

from workflows.health import ping_temporal
from workflows.worker import build_worker


async def test_server_and_worker_alive(dev_client: Client, task_queue: str) -> None:
    async with build_worker(dev_client, task_queue):
        status = await ping_temporal(dev_client, 5.0, task_queue=task_queue)
    assert status["server"] is True
    assert status["worker"] is True
    assert status["detail"].startswith("pong:")


async def test_no_worker_is_reported_within_the_timeout(
    dev_client: Client, task_queue: str
) -> None:
    started = time.monotonic()
    status = await ping_temporal(dev_client, 1.0, task_queue=task_queue)
    elapsed = time.monotonic() - started
    assert status["server"] is True
    assert status["worker"] is False
    assert "worker" in status["detail"]
    assert elapsed < 2.5, elapsed


async def test_server_down_is_reported_quickly(free_port: int) -> None:
    client = await Client.connect(f"127.0.0.1:{free_port}", lazy=True)
    started = time.monotonic()
    status = await ping_temporal(client, 1.0)
    assert status == {"server": False, "worker": False, "detail": status["detail"]}
    assert status["detail"].startswith("server:")
    assert time.monotonic() - started < 2.5
