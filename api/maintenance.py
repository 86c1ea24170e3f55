"""Periodic maintenance each API process runs (from the events runtime's loop): every
domain registers the passes that re-drive work a crash or an unreachable Temporal left
behind. Each pass is idempotent."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

PASSES: list[Callable[[], Awaitable[None]]] = []


def register(maintenance_pass: Callable[[], Awaitable[None]]) -> None:
    PASSES.append(maintenance_pass)


async def run_all() -> None:
    for maintenance_pass in PASSES:
        try:
            await maintenance_pass()
        except Exception:
            log.exception("maintenance pass %s failed", maintenance_pass.__qualname__)
