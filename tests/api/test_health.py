"""/healthz reports the database and Temporal (server and a worker answering)."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from tests.conftest import GQL
from workflows.client import set_client


async def test_healthz_reports_database_and_temporal(gql: GQL) -> None:
    response = await gql.http.get("/healthz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["temporal"]["server"] is True
    assert body["temporal"]["worker"] is True
    assert body["temporal"]["detail"].startswith("pong:")


async def test_healthz_is_503_when_temporal_is_unreachable(
    gql: GQL, temporal_env: WorkflowEnvironment
) -> None:
    from temporalio.client import Client

    # A client whose server is gone: connect lazily to a closed port.
    dead = await Client.connect("127.0.0.1:1", lazy=True)
    set_client(dead)
    try:
        response = await gql.http.get("/healthz")
    finally:
        set_client(temporal_env.client)
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["temporal"]["server"] is False
