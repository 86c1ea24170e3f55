"""Fixtures of the events tests: a real local webhook receiver, a websocket subscriber
speaking graphql-transport-ws, and waiting helpers that skip Temporal time."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from temporalio.testing import WorkflowEnvironment

from api.events import fanout
from api.events.service import dispatch
from tests.conftest import GQL, Org


@pytest.fixture(scope="session", autouse=True)
async def _close_event_listener(db: str) -> AsyncIterator[None]:
    yield
    await fanout.listener.close()
    await dispatch.drain_background()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    """A webhook receiver on a real uvicorn: answers 500 to the first `fail_first`
    requests (or always while `failing`), 200 afterwards; can go down and up again."""

    port: int = field(default_factory=free_port)
    fail_first: int = 0
    failing: bool = False
    requests: list[Received] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def delivered(self) -> list[Received]:
        return [r for r in self.requests if r.status == 200]

    async def _hook(self, request: Request) -> PlainTextResponse:
        body = await request.body()
        failed = self.failing or len(self.requests) < self.fail_first
        status = 500 if failed else 200
        self.requests.append(Received(dict(request.headers), body, status))
        return PlainTextResponse("nope" if failed else "ok", status_code=status)

    async def up(self) -> None:
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.01)

    async def down(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.up()
    yield r
    await r.down()


@pytest.fixture
async def endpoints(gql: GQL) -> AsyncIterator[Callable[..., Awaitable[dict[str, Any]]]]:
    """Creates webhook endpoints through GraphQL; deletes them after the test (their
    delivery workflows then stop)."""
    made: list[tuple[GQL, str]] = []

    async def make(org: Org, url: str, event_types: list[str], **extra: Any) -> dict[str, Any]:
        admin = gql.as_(org.token("admin"))
        data = await admin.ok(
            """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input)
               { secret webhookEndpoint { id url eventTypes enabled secretHint } } }""",
            {"input": {"url": url, "eventTypes": event_types, **extra}},
        )
        created = data["createWebhookEndpoint"]
        made.append((admin, created["webhookEndpoint"]["id"]))
        return {**created["webhookEndpoint"], "secret": created["secret"]}

    yield make
    for admin, endpoint_id in made:
        await admin(
            "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { deletedId } }",
            {"id": endpoint_id},
        )
    await dispatch.drain_background()


async def wait_for(
    predicate: Callable[[], Awaitable[bool]],
    *,
    env: WorkflowEnvironment | None = None,
    skip: timedelta = timedelta(seconds=30),
    limit: float = 20.0,
    what: str = "condition",
) -> None:
    """Poll `predicate`; between polls, skip `skip` of Temporal time when `env` is given
    (so backoff timers pass at once)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if env is not None:
            await env.sleep(skip)
        await asyncio.sleep(0.05)


class Subscriber:
    """One graphql-transport-ws connection to a live server."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, base_url: str, credential: str | None) -> Subscriber:
        url = base_url.replace("http://", "ws://") + "/graphql"
        ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
        payload = {"Authorization": f"Bearer {credential}"} if credential else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return cls(ws)

    async def subscribe(
        self, types: list[str] | None = None, after: str | None = None, op: str = "1"
    ) -> None:
        query = """subscription($types: [String!], $after: ID) {
          events(types: $types, after: $after) { id type entity entityId payload changed
            actor { kind id } schemaVersion createdAt } }"""
        variables = {"types": types, "after": after}
        await self.ws.send(
            json.dumps(
                {"id": op, "type": "subscribe", "payload": {"query": query, "variables": variables}}
            )
        )

    async def next(self, limit: float = 10.0) -> dict[str, Any]:
        """The next message (an event, or an error/complete message)."""
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), limit))
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if message["type"] == "pong":
                continue
            return message

    async def take(self, count: int, limit: float = 20.0) -> list[dict[str, Any]]:
        events = []
        async with asyncio.timeout(limit):
            while len(events) < count:
                message = await self.next(limit)
                assert message["type"] == "next", message
                assert not message["payload"].get("errors"), message
                events.append(message["payload"]["data"]["events"])
        return events

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Events arriving within `seconds` (expected: none)."""
        extra = []
        try:
            async with asyncio.timeout(seconds):
                while True:
                    extra.append(await self.next(seconds))
        except TimeoutError:
            pass
        return extra

    async def close(self) -> None:
        await self.ws.close()
