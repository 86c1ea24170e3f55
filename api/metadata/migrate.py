"""Running a schema migration: batches of records moved to the new field version (the
plan applied, values validated, dedup keys rebuilt), progress kept on the migration row."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import F

from api.auth import Actor
from api.db import atomic
from api.errors import AppError
from api.metadata import dedup
from api.metadata.models import SchemaMigration
from api.metadata.service import ENTITIES, fields_at
from schemas.migration import apply_migration


async def migrate_batch(migration_id: int, after_id: int, size: int) -> tuple[int | None, int, int]:
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
    last_error = None
    actor = Actor(tenant_id=migration.tenant_id, scopes=frozenset())
    for row in rows:
        result = apply_migration(dict(row.fields or {}), migration.plan, compiled)
        issues = result.issues or compiled.validate(result.values)
        if issues:
            failed += 1
            last_error = f"{registration.type_name} {row.id}: " + "; ".join(
                f"{'.'.join(map(str, i.path))}: {i.message}" for i in issues
            )
            continue
        try:
            async with atomic():
                updated = await model.filter(
                    id=row.id, schema_version__lt=migration.to_version
                ).update(fields=result.values, schema_version=migration.to_version)
                if updated and compiled.unique_keys:
                    await dedup.release(actor, registration.entity, row.id)
                    await dedup.claim(
                        actor,
                        registration.entity,
                        row.id,
                        dedup.unique_entries(compiled, result.values),
                        model,
                        registration.type_name,
                    )
        except AppError as exc:
            failed += 1
            last_error = f"{registration.type_name} {row.id}: {exc.message}"
            continue
        migrated += 1
    await SchemaMigration.filter(id=migration.id).update(
        migrated=F("migrated") + migrated,
        failed=F("failed") + failed,
        **({"last_error": last_error} if last_error else {}),
    )
    return rows[-1].id, migrated, failed


async def finish_migration(migration_id: int) -> str:
    migration = await SchemaMigration.get(id=migration_id)
    status = "done" if migration.failed == 0 else "failed"
    await SchemaMigration.filter(id=migration.id).update(
        status=status, finished_at=datetime.now(UTC)
    )
    return status
