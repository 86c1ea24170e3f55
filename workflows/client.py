"""The process's Temporal client, and the helpers services use to start workflows.

`get_client()` connects once per event loop to `settings.temporal_target()` and caches the
client; tests inject their own with `set_client()`. Services start workflows after their
transaction commits with `start_workflow_once()`, under a deterministic id, so a repeated trigger
never starts the same journey twice.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

import settings

log = logging.getLogger(__name__)

_injected: Client | None = None
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Client] = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def connect_client(
    target: str | None = None, namespace: str | None = None, **options: Any
) -> Client:
    """A new (uncached) client for `target` (default: settings) in `namespace`."""
    return await Client.connect(
        target or settings.temporal_target(),
        namespace=namespace or settings.TEMPORAL_NAMESPACE,
        **options,
    )


async def get_client() -> Client:
    """The client of this process: the injected one, else one cached per running event loop."""
    if _injected is not None:
        return _injected
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is not None:
        return client
    lock = _locks.setdefault(loop, asyncio.Lock())
    async with lock:
        client = _clients.get(loop)
        if client is None:
            client = await connect_client()
            _clients[loop] = client
    return client


def set_client(client: Client | None) -> Client | None:
    """Make `get_client()` return `client` in every event loop; return the one set before.

    `None` removes the override. Tests restore the previous one when done:
    `previous = set_client(mine); ...; set_client(previous)`.
    """
    global _injected
    previous, _injected = _injected, client
    return previous


async def close_client() -> None:
    """Forget the clients `get_client()` connected and cached (the injected one stays).

    temporalio clients have no close(): a connection goes when the last reference does. After
    this, the next `get_client()` connects afresh (e.g. to a new TEMPORAL_ADDRESS in tests).
    """
    _clients.clear()


async def start_workflow_once(
    workflow: str | Callable[..., Any],
    arg: Any,
    *,
    id: str,
    task_queue: str | None = None,
    client: Client | None = None,
    id_reuse_policy: WorkflowIDReusePolicy = WorkflowIDReusePolicy.REJECT_DUPLICATE,
    result_type: type | None = None,
    **options: Any,
) -> WorkflowHandle[Any, Any]:
    """Start `workflow(arg)` under the deterministic `id`, at most once; return its handle.

    If a workflow with this id is running, or (with the default REJECT_DUPLICATE policy) has
    already run, nothing is started and the existing execution's handle is returned: the second
    `arg` is ignored. Pass `id_reuse_policy=ALLOW_DUPLICATE_FAILED_ONLY` to allow a new run after
    a failed one. "Once" lasts as long as Temporal keeps the closed execution (the namespace's
    retention period); anything that must never repeat needs its own guard in the database too.
    `options` go to `Client.start_workflow` (timeouts, memo, search attributes, ...).
    """
    client = client or await get_client()
    try:
        return await client.start_workflow(
            workflow,
            arg,
            id=id,
            task_queue=task_queue or settings.TEMPORAL_TASK_QUEUE,
            id_reuse_policy=id_reuse_policy,
            result_type=result_type,
            **options,
        )
    except WorkflowAlreadyStartedError as err:
        log.debug("workflow %s already started (run %s)", id, err.run_id)
        if result_type is None and not isinstance(workflow, str):
            return client.get_workflow_handle_for(workflow, id, run_id=err.run_id)
        return client.get_workflow_handle(id, run_id=err.run_id, result_type=result_type)


async def signal_if_running(
    workflow_id: str, signal: Callable[..., Any], *args: Any, rpc_timeout: timedelta | None = None
) -> bool:
    """Send `signal` to the running workflow `workflow_id`. True when sent, or when no such
    workflow runs (finished, or never started: nothing to tell); False, logged, when
    Temporal could not be reached. For services telling a workflow after their commit,
    where an unreachable Temporal must not fail the write."""
    try:
        client = await get_client()
        handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
        await handle.signal(signal, *args, rpc_timeout=rpc_timeout)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return True
        log.warning("could not signal %s to %s: %s", signal.__name__, workflow_id, err)
        return False
    except Exception as err:
        log.warning("could not signal %s to %s: %r", signal.__name__, workflow_id, err)
        return False
    return True
