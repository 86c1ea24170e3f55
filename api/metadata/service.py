"""Versioned definitions (custom fields, lifecycle stages) of each tenant: drafts,
validation against the meta-schemas, publishing with breaking-change checks, and the
compiled published versions that every record write validates against.

Entities with custom fields register themselves in `ENTITIES` (kind -> model and the
event entity name) so publishing can count the records a change would break.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.models import Model

import settings
from api import maintenance
from api.auth import Actor
from api.db import after_commit, atomic, scoped, tenant_scoped
from api.errors import Conflict, FieldError, FieldErrors, NotFound, ValidationFailed
from api.metadata.models import DefinitionVersion, SchemaMigration
from schemas.compiler import CompiledFields, compile_fields
from schemas.definitions import DEFINITION_KINDS, check_definition
from schemas.errors import Issue
from schemas.migration import apply_migration

EMPTY_DOCUMENTS: dict[str, dict[str, Any]] = {
    "customer_fields": {"fields": [], "sections": []},
    "lead_fields": {"fields": [], "sections": []},
}


@dataclass(frozen=True)
class EntityRegistration:
    """An entity whose records carry custom fields of a definition kind."""

    kind: str
    model: Callable[[], type[Model]]
    type_name: str  # GraphQL Node type, for sample ids
    entity: str  # name in dedup keys and events, e.g. "customer"


ENTITIES: dict[str, EntityRegistration] = {}


def register_entity(
    kind: str, model: Callable[[], type[Model]], type_name: str, entity: str
) -> None:
    ENTITIES[kind] = EntityRegistration(kind, model, type_name, entity)


def issues_to_errors(issues: list[Issue], prefix: tuple[str | int, ...]) -> list[FieldError]:
    return [FieldError((*prefix, *issue.path), issue.rule, issue.message) for issue in issues]


def _check_kind(kind: str) -> None:
    if kind not in EMPTY_DOCUMENTS or kind not in DEFINITION_KINDS:
        raise ValidationFailed([FieldError(("input", "kind"), "enum", f"Unknown kind {kind}")])


async def published_version(tenant_id: int, kind: str) -> DefinitionVersion | None:
    return (
        await DefinitionVersion.filter(tenant_id=tenant_id, kind=kind, status="published")
        .order_by("-version")
        .first()
    )


async def current_fields(tenant_id: int, kind: str) -> tuple[int, CompiledFields]:
    """The published field version new writes validate against (0 = nothing published),
    compiled once per document and cached."""
    row = await published_version(tenant_id, kind)
    if row is None:
        return 0, compile_fields(EMPTY_DOCUMENTS[kind])
    return row.version or 0, compile_fields(row.document)


async def fields_at(tenant_id: int, kind: str, version: int) -> CompiledFields:
    if version == 0:
        return compile_fields(EMPTY_DOCUMENTS[kind])
    row = await DefinitionVersion.get(tenant_id=tenant_id, kind=kind, version=version)
    return compile_fields(row.document)


async def get_draft(actor: Actor, kind: str) -> DefinitionVersion | None:
    actor.require("metadata:manage")
    _check_kind(kind)
    return await scoped(actor, DefinitionVersion).get_or_none(kind=kind, status="draft")


async def save_draft(actor: Actor, kind: str, document: Any) -> DefinitionVersion:
    """Store the tenant's draft of `kind` after checking it against the meta-schema."""
    actor.require("metadata:manage")
    _check_kind(kind)
    if not isinstance(document, dict):
        raise ValidationFailed([FieldError(("input", "document"), "type", "Must be an object")])
    issues = check_definition(kind, document)
    if issues:
        raise ValidationFailed(issues_to_errors(issues, ("input", "document")))
    async with atomic():
        draft = (
            await DefinitionVersion.filter(tenant_id=actor.tenant_id, kind=kind, status="draft")
            .select_for_update()
            .first()
        )
        if draft is None:
            draft = await DefinitionVersion.create(
                tenant_id=actor.tenant_id,
                kind=kind,
                status="draft",
                document=document,
                created_by_id=actor.staff_id,
            )
        else:
            draft.document = document
            await draft.save(update_fields=["document", "updated_at"])
    return draft


@dataclass
class Impact:
    """A change between the published version and the draft, with the records it hits."""

    key: str
    kind: str
    severity: str
    detail: dict[str, Any]
    affected: int = 0
    sample_ids: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return self.severity != "safe" and (self.severity == "breaking" or self.affected > 0)


async def _draft_against_published(actor: Actor, kind: str) -> tuple[dict, dict]:
    """(published document, draft document) of `kind`; NOT_FOUND without a draft."""
    draft = await get_draft(actor, kind)
    if draft is None:
        raise NotFound("No draft to publish", path=["input", "kind"])
    current = await published_version(actor.tenant_id, kind)
    return (current.document if current else EMPTY_DOCUMENTS[kind]), draft.document


async def preview(actor: Actor, kind: str) -> list[Impact]:
    """The draft's changes against the published version and what each would break."""
    from api.metadata.impact import measure

    old_doc, draft_doc = await _draft_against_published(actor, kind)
    return await measure(actor.tenant_id, kind, old_doc, draft_doc)


async def publish(
    actor: Actor, kind: str, plan: dict[str, Any] | None
) -> tuple[DefinitionVersion, SchemaMigration | None]:
    """Publish the draft as the next immutable version.

    A change that would break existing records is refused (CONFLICT with each change's
    affected count and sample ids) unless `plan` migrates them; the migration then runs
    as a Temporal workflow and records move to the new version as they are migrated.
    """
    from api.metadata.impact import measure, plan_issues

    old_doc, draft_doc = await _draft_against_published(actor, kind)
    impacts = await measure(actor.tenant_id, kind, old_doc, draft_doc)
    breaking = [i for i in impacts if i.breaking]
    duplicates = [i for i in breaking if i.severity == "breaking_if_duplicates"]
    if duplicates or (breaking and plan is None):
        raise Conflict(
            "Publishing would break existing records"
            + ("; merge the duplicates first" if duplicates else "; supply a migration"),
            breakingChanges=[
                {"key": i.key, "kind": i.kind, "affected": i.affected, "sampleIds": i.sample_ids}
                for i in breaking
            ],
        )
    if plan is not None and breaking:
        issues = await plan_issues(actor.tenant_id, kind, impacts, plan, old_doc, draft_doc)
        if issues:
            raise ValidationFailed(issues_to_errors(issues, ("input", "migration")))
    if await SchemaMigration.filter(
        tenant_id=actor.tenant_id, kind=kind, status__in=["pending", "running"]
    ).exists():
        raise Conflict("A migration of this kind is still running; publish after it ends")
    async with atomic():
        draft = (
            await DefinitionVersion.filter(tenant_id=actor.tenant_id, kind=kind, status="draft")
            .select_for_update()
            .get()
        )
        current = await published_version(actor.tenant_id, kind)
        number = (current.version or 0) + 1 if current else 1
        draft.status = "published"
        draft.version = number
        draft.published_at = datetime.now(UTC)
        await draft.save()
        migration = None
        if plan is not None and breaking:
            migration = await _start_migration(actor, kind, number - 1, number, plan)
        await _emit_published(actor, kind, draft, impacts)
    return draft, migration


async def _start_migration(
    actor: Actor, kind: str, from_version: int, to_version: int, plan: dict[str, Any]
) -> SchemaMigration:
    registration = ENTITIES[kind]
    total = (
        await registration.model()
        .filter(tenant_id=actor.tenant_id, schema_version__lt=to_version)
        .count()
    )
    migration = await SchemaMigration.create(
        tenant_id=actor.tenant_id,
        kind=kind,
        from_version=from_version,
        to_version=to_version,
        plan=plan,
        total=total,
        created_by_id=actor.staff_id,
    )

    async def start() -> None:
        from workflows.schema_migration.starter import start_schema_migration

        await start_schema_migration(migration.id, batch_size=settings.SCHEMA_MIGRATION_BATCH_SIZE)

    after_commit(start)
    return migration


async def resume_unfinished_migrations() -> None:
    """Start (again) the workflow of every migration not finished: one whose start after
    commit failed because Temporal was unreachable stays pending until this pass. The
    workflow id is the migration's, so a running one is not started twice."""
    from workflows.schema_migration.starter import start_schema_migration

    unfinished = await SchemaMigration.filter(status__in=["pending", "running"]).values_list(
        "id", flat=True
    )
    for migration_id in unfinished:
        await start_schema_migration(migration_id, batch_size=settings.SCHEMA_MIGRATION_BATCH_SIZE)


maintenance.register(resume_unfinished_migrations)


async def _emit_published(
    actor: Actor, kind: str, version: DefinitionVersion, impacts: list[Impact]
) -> None:
    """`schema.published`, so integrators learn about new custom fields from an event."""
    from api.events import builtin_types  # noqa: F401  (registers schema.published)
    from api.events.outbox import emit

    registration = ENTITIES.get(kind)
    number = version.version or 0

    def describe(i: Impact) -> dict[str, Any]:
        return {"key": i.key, "kind": i.kind, "severity": i.severity, "affected": i.affected}

    await emit(
        actor,
        "schema.published",
        "schema",
        version.id,
        {
            "entity": registration.entity if registration else kind,
            "kind": kind,
            "version": number,
            "previousVersion": number - 1 if number > 1 else None,
            "jsonSchema": compile_fields(version.document).json_schema,
            "changes": {
                "breaking": [describe(i) for i in impacts if i.breaking],
                "nonBreaking": [describe(i) for i in impacts if not i.breaking],
            },
        },
        schema_version=number,
    )


async def check_refs(
    actor: Actor, compiled: CompiledFields, values: dict, errors: FieldErrors
) -> None:
    refs = compiled.refs(values)
    """Add an error for each staff/department reference in `values` not in the tenant."""
    from api.org.models import Department, Staff  # the org domain owns them

    for kind, model in (("staff_ref", Staff), ("department_ref", Department)):
        wanted = set(refs.get(kind, []))
        if not wanted:
            continue
        found = set(
            await tenant_scoped(actor, model)
            .filter(id__in=list(wanted))
            .values_list("id", flat=True)
        )
        for key, spec in compiled.fields.items():
            if spec.type != kind or values.get(key) is None:
                continue
            for i in values[key] if isinstance(values[key], list) else [values[key]]:
                if i not in found:
                    errors.add(("fields", key), "exists", f"No {kind.split('_')[0]} with id {i}")


async def values_at_version(
    tenant_id: int, kind: str, record: Model, version: int, compiled: CompiledFields
) -> dict[str, Any]:
    """A record's custom values moved to `version` (through the pending migration, if any)."""
    values = dict(record.fields or {})
    if record.schema_version >= version:
        return values
    migration = (
        await SchemaMigration.filter(tenant_id=tenant_id, kind=kind, to_version=version)
        .order_by("-id")
        .first()
    )
    if migration is not None:
        return apply_migration(values, migration.plan, compiled).values
    return values


def hidden_field_keys(actor: Actor, compiled: CompiledFields) -> frozenset[str]:
    """Custom field keys none of the caller's roles may see (API keys see all)."""
    if actor.api_key_id is not None:
        return frozenset()
    roles = {r.value for r in actor.roles}
    return frozenset(
        key
        for key, spec in compiled.fields.items()
        if spec.visible_to and not roles & set(spec.visible_to)
    )


async def hidden_fields(actor: Actor, kind: str) -> frozenset[str]:
    """Keys of the published `kind` fields none of the caller's roles may see."""
    return hidden_field_keys(actor, (await current_fields(actor.tenant_id, kind))[1])
