"""The schema migration workflow: batch after batch until every record of the old
version is migrated (id `schema-migration:<migration id>`); continues as new every 100
batches to keep its history short."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.schema_migration.activities import (
        finish_records_migration,
        migrate_records_batch,
    )
    from workflows.schema_migration.inputs import MigrationInput

BATCHES_PER_RUN = 100


@workflow.defn
class SchemaMigrationWorkflow:
    @workflow.run
    async def run(self, data: MigrationInput) -> str:
        after = data.after_id
        for _ in range(BATCHES_PER_RUN):
            result = await workflow.execute_activity(
                migrate_records_batch,
                MigrationInput(data.migration_id, after, data.batch_size),
                start_to_close_timeout=timedelta(minutes=5),
                # a worker that dies mid-batch is noticed in seconds, not minutes
                heartbeat_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            )
            if result.next_after_id is None:
                return await workflow.execute_activity(
                    finish_records_migration,
                    data,
                    start_to_close_timeout=timedelta(minutes=1),
                )
            after = result.next_after_id
        workflow.continue_as_new(MigrationInput(data.migration_id, after, data.batch_size))
