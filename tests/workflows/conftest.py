"""Fixtures of the workflow tests; `temporal_env` (time-skipping server) is in tests/conftest.py."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from workflows.client import close_client, set_client
from workflows.devserver import find_executable


@pytest.fixture(scope="session")
async def temporal_dev_env(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (the `temporal` CLI) with its state in a temporary SQLite file."""
    db_file = tmp_path_factory.mktemp("temporal-dev") / "temporal.sqlite3"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"),
        dev_server_database_filename=str(db_file),
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def dev_client(temporal_dev_env: WorkflowEnvironment) -> Client:
    """A client of the dev server."""
    return temporal_dev_env.client


@pytest.fixture
def task_queue() -> str:
    """A task queue no other test polls."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, and that `bind(0)` will not hand out.

    Like sdk-core's get_free_port: the port is left in TIME_WAIT (the accepting side closes
    first), so the kernel gives it to no other auto-bind for a while (the dev server picks its
    internal ports with bind(0) and panics on a clash) while an explicit listen on it still works.
    """
    with socket.socket() as listener:
        # The TIME_WAIT socket inherits SO_REUSEADDR, which lets a server (with it) bind the port.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()
            client.recv(1)  # wait for the FIN, so the accepting side is the active closer
    return port


@pytest.fixture(autouse=True)
async def _isolated_client() -> AsyncIterator[None]:
    """Each test starts with no injected or cached client; the session's comes back after."""
    previous = set_client(None)
    await close_client()
    yield
    await close_client()
    set_client(previous)
