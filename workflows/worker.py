"""The Temporal worker: runs every workflow and activity listed in `workflows.registry`.

The caller (`scrm worker` / `scrm up` in api/cli.py) initialises tortoise before `run_worker()`
and closes it afterwards: activities that touch the database expect it ready, and this module
stays free of ORM imports.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

import settings
from workflows.client import get_client
from workflows.registry import ACTIVITIES, WORKFLOWS

log = logging.getLogger(__name__)

# On shutdown, running activities get this long to finish before they are cancelled.
GRACEFUL_SHUTDOWN_TIMEOUT = timedelta(seconds=10)


def build_worker(client: Client, task_queue: str | None = None, **options: Any) -> Worker:
    """A worker on `task_queue` (default: settings) for everything in the registry.

    `options` go to `temporalio.worker.Worker` (e.g. `graceful_shutdown_timeout`).
    """
    options.setdefault("graceful_shutdown_timeout", GRACEFUL_SHUTDOWN_TIMEOUT)
    return Worker(
        client,
        task_queue=task_queue or settings.TEMPORAL_TASK_QUEUE,
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        **options,
    )


async def run_worker(
    stop: asyncio.Event | None = None,
    *,
    client: Client | None = None,
    task_queue: str | None = None,
) -> None:
    """Run the worker until `stop` is set (or forever), then shut it down gracefully.

    Cancelling the task also shuts the worker down before the cancellation propagates. A fatal
    worker error is raised from here. Tortoise must already be initialised (see module doc).
    """
    client = client or await get_client()
    worker = build_worker(client, task_queue)
    log.info(
        "temporal worker polling %s on %s",
        worker.task_queue,
        client.service_client.config.target_host,
    )
    async with worker:
        await (stop or asyncio.Event()).wait()
    log.info("temporal worker stopped")
