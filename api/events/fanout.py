"""Live event streams: waking subscribers when their tenant's events commit.

A wake-up carries no event: a woken subscriber reads the outbox after its cursor through
`visible_events()` (the scoping choke point), so every stream is exactly the committed
events in id order, none doubled, whatever woke it. Three things wake a subscriber:

- this process's commits (`hub.publish`, called after commit by the outbox);
- on PostgreSQL, other processes' commits: one dedicated asyncpg connection per process
  LISTENs on the outbox channel (`PgListener`), reconnecting when it drops;
- a poll every `EVENTS_POLL_SECONDS`, the fallback that also carries events between
  processes on SQLite and covers notifications lost while the listener reconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
from tortoise import connections

import settings
from api.auth import Actor
from api.events.models import Event
from api.events.outbox import NOTIFY_CHANNEL, head, is_postgres, visible_events

log = logging.getLogger(__name__)
BATCH = 200


class Hub:
    """This process's subscribers, by tenant; `publish` wakes a tenant's subscribers."""

    def __init__(self) -> None:
        self._waiters: defaultdict[int, set[asyncio.Event]] = defaultdict(set)

    @contextlib.contextmanager
    def waiter(self, tenant_id: int) -> Iterator[asyncio.Event]:
        wake = asyncio.Event()
        self._waiters[tenant_id].add(wake)
        try:
            yield wake
        finally:
            self._waiters[tenant_id].discard(wake)
            if not self._waiters[tenant_id]:
                del self._waiters[tenant_id]

    def publish(self, tenant_id: int) -> None:
        for wake in list(self._waiters.get(tenant_id, ())):
            wake.set()

    def publish_all(self) -> None:
        for tenant_id in list(self._waiters):
            self.publish(tenant_id)

    def subscriber_count(self) -> int:
        return sum(len(w) for w in self._waiters.values())


class PgListener:
    """A dedicated connection LISTENing to the outbox channel; wakes `hub` per tenant."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self.ready = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="events-pg-listener")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self.hub.publish(int(payload))

    async def _run(self) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(**_connect_params())
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
                self.ready.set()
                self.hub.publish_all()  # whatever committed while we were not listening
                await lost.wait()
                log.warning("event listener connection lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event listener failed; subscribers poll until it is back")
            finally:
                self.ready.clear()
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.shield(conn.close(timeout=2))
            await asyncio.sleep(1)


def _connect_params() -> dict[str, Any]:
    client = connections.get("default")
    return {
        "host": client.host,
        "port": client.port,
        "user": client.user,
        "password": client.password,
        "database": client.database,
    }


hub = Hub()
listener = PgListener(hub)


async def start_listening() -> None:
    """Make sure this process listens for other processes' events (PostgreSQL only)."""
    if is_postgres():
        listener.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.ready.wait(), 2)


async def stream(actor: Actor, types: set[str], after: int | None) -> AsyncIterator[Event]:
    """The actor's events of `types` after the cursor `after` (or from now): the backlog
    first, then live, in id order, each once."""
    await start_listening()
    with hub.waiter(actor.tenant_id) as wake:
        cursor = after if after is not None else await head(actor.tenant_id)
        query = visible_events(actor, types)
        while True:
            wake.clear()  # before reading: a commit during the read wakes us again
            rows = await query.filter(id__gt=cursor).order_by("id").limit(BATCH)
            for row in rows:
                cursor = row.id
                yield row
            if len(rows) == BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), settings.EVENTS_POLL_SECONDS)
