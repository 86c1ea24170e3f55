"""EmbeddedTemporal: the real `temporal server start-dev`, its restart and its failures."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

import settings
from workflows.devserver import EmbeddedTemporal, EmbeddedTemporalError, embedded_temporal_needed
from workflows.ping.inputs import PingInput
from workflows.ping.workflows import PingWorkflow
from workflows.worker import build_worker


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_embedded_temporal_needed_only_without_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "TEMPORAL_ADDRESS", "")
    assert embedded_temporal_needed() is True
    monkeypatch.setattr(settings, "TEMPORAL_ADDRESS", "temporal.internal:7233")
    assert embedded_temporal_needed() is False


def test_defaults_come_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "EMBEDDED_TEMPORAL_PORT", 17233)
    monkeypatch.setattr(settings, "TEMPORAL_DB_FILE", tmp_path / "t.sqlite3")
    server = EmbeddedTemporal()
    assert server.target == "127.0.0.1:17233"
    cmd = server.command()
    assert cmd[1:3] == ["server", "start-dev"]
    assert str(tmp_path / "t.sqlite3") in cmd
    assert "--headless" in cmd


async def test_start_ping_stop_and_restart_keeps_history(
    tmp_path: Path, free_port: int, task_queue: str
) -> None:
    db_file = tmp_path / "var" / "temporal.sqlite3"  # the parent dir does not exist yet
    workflow_id = f"ping:{uuid.uuid4()}"
    async with EmbeddedTemporal(port=free_port, db_file=db_file) as server:
        assert server.running
        client = await Client.connect(server.target, namespace=settings.TEMPORAL_NAMESPACE)
        async with build_worker(client, task_queue):
            answer = await client.execute_workflow(
                PingWorkflow.run, PingInput(echo="up"), id=workflow_id, task_queue=task_queue
            )
        assert answer.startswith("pong:up:")
    assert not server.running
    assert _port_closed(free_port)
    assert db_file.is_file()

    async with EmbeddedTemporal(port=free_port, db_file=db_file) as server:
        client = await Client.connect(server.target, namespace=settings.TEMPORAL_NAMESPACE)
        handle = client.get_workflow_handle(workflow_id, result_type=str)
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
        assert await handle.result() == answer
    assert _port_closed(free_port)


async def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    listener = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        with pytest.raises(EmbeddedTemporalError, match=f"port {port}.*already in use"):
            await EmbeddedTemporal(port=port, db_file=tmp_path / "t.sqlite3").start()
    finally:
        listener.close()
        await listener.wait_closed()


async def test_server_dying_at_start_reports_its_output(tmp_path: Path, free_port: int) -> None:
    server = EmbeddedTemporal(
        port=free_port, db_file=tmp_path / "t.sqlite3", extra_args=["--no-such-flag"]
    )
    with pytest.raises(EmbeddedTemporalError, match="exited with code") as caught:
        await server.start()
    assert "no-such-flag" in str(caught.value)
    assert not server.running
