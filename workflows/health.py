"""The Temporal part of /healthz: is the server reachable, and does a worker answer?"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowFailureError

import settings
from workflows.ping.inputs import PingInput
from workflows.ping.workflows import PingWorkflow


def _describe(err: BaseException) -> str:
    if isinstance(err, WorkflowFailureError) and err.cause is not None:
        err = err.cause
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


async def ping_temporal(
    client: Client,
    timeout: float,  # noqa: ASYNC109 - a budget for several calls, not one await
    *,
    task_queue: str | None = None,
) -> dict[str, Any]:
    """Check Temporal end to end within about `timeout` seconds.

    Returns `{"server": bool, "worker": bool, "detail": str}`. `server` is the gRPC health check of
    the frontend; `worker` is whether a `PingWorkflow` (id `ping:<uuid>`) on `task_queue`
    (default: settings) completed in time. The workflow carries an execution timeout, so with no
    worker it is closed by the server rather than left behind.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        async with asyncio.timeout(timeout):
            server = await client.service_client.check_health(timeout=timedelta(seconds=timeout))
    except Exception as err:
        return {"server": False, "worker": False, "detail": f"server: {_describe(err)}"}
    if not server:
        return {"server": False, "worker": False, "detail": "server: not serving"}

    remaining = max(deadline - loop.time(), 0.5)
    echo = uuid.uuid4().hex
    try:
        async with asyncio.timeout(remaining + 1.0):
            answer = await client.execute_workflow(
                PingWorkflow.run,
                PingInput(echo=echo),
                id=f"ping:{echo}",
                task_queue=task_queue or settings.TEMPORAL_TASK_QUEUE,
                execution_timeout=timedelta(seconds=remaining),
            )
    except Exception as err:
        return {"server": True, "worker": False, "detail": f"worker: {_describe(err)}"}
    return {"server": True, "worker": True, "detail": answer}
