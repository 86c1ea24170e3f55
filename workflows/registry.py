"""The one place every feature registers its workflows and activities for the worker.

A new feature appends its workflow classes to `WORKFLOWS` and its activities to `ACTIVITIES`
(plain `@activity.defn` functions, or bound methods of an object that holds resources).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflows.ping.activities import ping
from workflows.ping.workflows import PingWorkflow
from workflows.pool_assign.activities import sweep_pool
from workflows.pool_assign.workflows import PoolAutoAssignWorkflow
from workflows.pools.activities import note_recycle_deadline, recycle_lead, warn_before_recycle
from workflows.pools.workflows import LeadRecycleWorkflow
from workflows.schema_migration.activities import (
    finish_records_migration,
    migrate_records_batch,
)
from workflows.schema_migration.workflows import SchemaMigrationWorkflow
from workflows.webhooks.activities import (
    dead_letter_webhook,
    deliver_webhook,
    next_webhook_batch,
)
from workflows.webhooks.workflows import WebhookPumpWorkflow
from workflows.welcome.activities import send_welcome
from workflows.welcome.workflows import WelcomeStaffWorkflow

WORKFLOWS: list[type] = [
    PingWorkflow,
    WelcomeStaffWorkflow,
    SchemaMigrationWorkflow,
    WebhookPumpWorkflow,
    LeadRecycleWorkflow,
    PoolAutoAssignWorkflow,
]

ACTIVITIES: list[Callable[..., Any]] = [
    ping,
    send_welcome,
    migrate_records_batch,
    finish_records_migration,
    next_webhook_batch,
    deliver_webhook,
    dead_letter_webhook,
    note_recycle_deadline,
    warn_before_recycle,
    recycle_lead,
    sweep_pool,
]
