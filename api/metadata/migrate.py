"""Running a schema migration: batches of records moved to the new field version (the
plan applied, values validated, dedup keys rebuilt), progress kept on the migration row.

Each record moves in its own transaction together with the `migrated` counter, guarded
by its version, so a batch retried after a crash neither migrates nor counts a record
twice. Records the plan cannot migrate stay on their version and are counted as failed
when the migration finishes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from tortoise.expressions import F

from api.auth import Actor
from api.db import atomic
from api.errors import AppError
from api.metadata import dedup
from api.metadata.models import SchemaMigration
from api.metadata.service import ENTITIES, fields_at
from schemas.migration import apply_migration


async def migrate_batch(
    migration_id: int, after_id: int, size: int, heartbeat: Callable[[], None] = lambda: None
) -> tuple[int | None, int, int]:
    """(next cursor or None when done, migrated, failed) for the batch after `after_id`."""
    migration = await SchemaMigration.get(id=migration_id)
    if migration.status == "pending":
        await SchemaMigration.filter(id=migration.id, status="pending").update(status="running")
    registration = ENTITIES[migration.kind]
    model = registration.model()
    compiled = await fields_at(migration.tenant_id, migration.kind, migration.to_version)
    rows = (
        await model.filter(
            tenant_id=migration.tenant_id, id__gt=after_id, schema_version__lt=migration.to_version
        )
        .order_by("id")
        .limit(size)
    )
    if not rows:
        return None, 0, 0
    migrated = failed = 0
    actor = Actor(tenant_id=migration.tenant_id, scopes=frozenset())
    for row in rows:
        heartbeat()
        result = apply_migration(dict(row.fields or {}), migration.plan, compiled)
        issues = result.issues or compiled.validate(result.values)
        error = "; ".join(f"{'.'.join(map(str, i.path))}: {i.message}" for i in issues)
        if not issues:
            try:
                async with atomic():
                    moved = await model.filter(
                        id=row.id, schema_version__lt=migration.to_version
                    ).update(fields=result.values, schema_version=migration.to_version)
                    if moved:
                        await dedup.release(actor, registration.entity, row.id)
                        await dedup.claim(
                            actor,
                            registration.entity,
                            row.id,
                            dedup.unique_entries(compiled, result.values),
                            model,
                            registration.type_name,
                        )
                        await SchemaMigration.filter(id=migration.id).update(
                            migrated=F("migrated") + 1
                        )
                migrated += moved
                continue
            except AppError as exc:
                error = exc.message
        failed += 1
        await SchemaMigration.filter(id=migration.id).update(
            last_error=f"{registration.type_name} {row.id}: {error}"
        )
    return rows[-1].id, migrated, failed


async def finish_migration(migration_id: int) -> str:
    """Close the migration: failed = records still on an older version."""
    migration = await SchemaMigration.get(id=migration_id)
    model = ENTITIES[migration.kind].model()
    left = await model.filter(
        tenant_id=migration.tenant_id, schema_version__lt=migration.to_version
    ).count()
    status = "done" if left == 0 else "failed"
    await SchemaMigration.filter(id=migration.id).update(
        status=status, failed=left, finished_at=datetime.now(UTC)
    )
    return status
