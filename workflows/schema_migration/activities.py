"""Activities of the schema migration workflow: thin calls into the metadata service."""

from __future__ import annotations

from temporalio import activity

from api.metadata.migrate import finish_migration, migrate_batch
from workflows.schema_migration.inputs import BatchResult, MigrationInput


@activity.defn
async def migrate_records_batch(data: MigrationInput) -> BatchResult:
    """Migrate the next batch after `after_id`; safe to retry (migrated rows are skipped)."""
    next_after, migrated, failed = await migrate_batch(
        data.migration_id, data.after_id, data.batch_size, heartbeat=activity.heartbeat
    )
    return BatchResult(next_after_id=next_after, migrated=migrated, failed=failed)


@activity.defn
async def finish_records_migration(data: MigrationInput) -> str:
    return await finish_migration(data.migration_id)
