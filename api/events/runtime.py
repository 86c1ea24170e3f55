"""What an API process runs for events besides requests: the PostgreSQL listener that
carries other processes' events to this one's subscribers, and a periodic pass that
wakes webhook endpoints left behind (events committed while Temporal was unreachable)
and deletes expired idempotency keys. Entered by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import settings
from api import maintenance
from api.events import fanout
from api.events.idempotency import purge_expired
from api.events.service import dispatch

log = logging.getLogger(__name__)


async def maintain(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await dispatch.reconcile()
            await purge_expired()
            await maintenance.run_all()
        except Exception:
            log.exception("events maintenance failed; trying again in %s s", interval)


@contextlib.asynccontextmanager
async def events_runtime() -> AsyncIterator[None]:
    await fanout.start_listening()
    task = asyncio.create_task(maintain(settings.WEBHOOK_RECONCILE_SECONDS))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await fanout.listener.close()
        await dispatch.drain_background()
