"""The ping activity: answers with the identity of the worker that ran it."""

from __future__ import annotations

import os
import socket

from temporalio import activity


def worker_identity() -> str:
    """The identity of the worker running the current activity (its client's identity)."""
    try:
        return activity.client().identity
    except RuntimeError:  # no client available (e.g. an activity test environment)
        return f"{os.getpid()}@{socket.gethostname()}"


@activity.defn(name="ping")
async def ping(echo: str) -> str:
    """Return `pong:<echo>:<worker identity>`."""
    return f"pong:{echo}:{worker_identity()}"
