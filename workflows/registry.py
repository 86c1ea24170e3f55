"""The one place every feature registers its workflows and activities for the worker.

A new feature appends its workflow classes to `WORKFLOWS` and its activities to `ACTIVITIES`
(plain `@activity.defn` functions, or bound methods of an object that holds resources).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflows.ping.activities import ping
from workflows.ping.workflows import PingWorkflow
from workflows.welcome.activities import send_welcome
from workflows.welcome.workflows import WelcomeStaffWorkflow

WORKFLOWS: list[type] = [
    PingWorkflow,
    WelcomeStaffWorkflow,
]

ACTIVITIES: list[Callable[..., Any]] = [
    ping,
    send_welcome,
]
