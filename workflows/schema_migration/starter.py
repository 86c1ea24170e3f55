"""Starting a schema migration (called by the metadata service after commit)."""

from __future__ import annotations

from temporalio.client import Client

from workflows.client import start_workflow_once
from workflows.schema_migration.inputs import MigrationInput
from workflows.schema_migration.workflows import SchemaMigrationWorkflow


def migration_workflow_id(migration_id: int) -> str:
    return f"schema-migration:{migration_id}"


async def start_schema_migration(
    migration_id: int,
    *,
    batch_size: int = 500,
    client: Client | None = None,
    task_queue: str | None = None,
) -> None:
    await start_workflow_once(
        SchemaMigrationWorkflow.run,
        MigrationInput(migration_id=migration_id, batch_size=batch_size),
        id=migration_workflow_id(migration_id),
        client=client,
        task_queue=task_queue,
    )
