"""GraphQL types, inputs and roots of the metadata engine: field schemas for frontends,
drafts, publish previews and migrations for admins."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.errors import invalid
from api.events.inputs import IDEMPOTENCY_KEY
from api.metadata import models, service
from api.nodes import ScopedNode
from api.permissions import requires


@strawberry.enum(description="Kinds of field definitions an admin designs.")
class FieldDefinitionKind(Enum):
    CUSTOMER_FIELDS = "customer_fields"
    LEAD_FIELDS = "lead_fields"


@strawberry.type(description="A published field version, compiled for form renderers.")
class FieldSchema:
    kind: FieldDefinitionKind = strawberry.field(description="Which entity's fields.")
    version: int = strawberry.field(description="Published version; 0 if none yet.")
    json_schema: JSON = strawberry.field(description="JSON Schema 2020-12 of `fields` values.")
    ui_hints: JSON = strawberry.field(description="Order, sections and widgets for forms.")
    document: JSON = strawberry.field(description="The definition as the admin designed it.")


@strawberry.type(description="An admin's unpublished field definition.")
class FieldDefinitionDraft:
    kind: FieldDefinitionKind = strawberry.field(description="Which entity's fields.")
    document: JSON = strawberry.field(description="The draft definition.")
    updated_at: datetime = strawberry.field(description="Last saved.")


@strawberry.type(description="One change of a draft against the published version.")
class DefinitionChange:
    key: str = strawberry.field(description="The field key.")
    kind: str = strawberry.field(description="What changed, e.g. `options_removed`.")
    severity: str = strawberry.field(
        description="safe, breaking, breaking_if_in_use or breaking_if_duplicates."
    )
    breaking: bool = strawberry.field(description="Whether publishing needs a migration.")
    affected: int = strawberry.field(description="Records the change would break.")
    sample_ids: list[str] = strawberry.field(description="Some of those records' ids.")
    detail: JSON = strawberry.field(description="Specifics (removed options, old type...).")


@strawberry.type(description="Records moving to a new field version, in batches on Temporal.")
class SchemaMigration(ScopedNode):
    model = models.SchemaMigration
    read_scope = "metadata:manage"
    id: relay.NodeID[int]
    kind: str = strawberry.field(description="Which entity's fields.")
    from_version: int = strawberry.field(description="Version migrated from.")
    to_version: int = strawberry.field(description="Version migrated to.")
    status: str = strawberry.field(description="pending, running, done or failed.")
    total: int = strawberry.field(description="Records to migrate.")
    migrated: int = strawberry.field(description="Records migrated so far.")
    failed: int = strawberry.field(description="Records that could not be migrated.")
    last_error: str | None = strawberry.field(description="The last failure, if any.")
    plan: JSON = strawberry.field(description="The migration plan the admin supplied.")

    @classmethod
    def from_row(cls, row: models.SchemaMigration) -> Self:
        return cls(
            id=row.id,
            kind=row.kind,
            from_version=row.from_version,
            to_version=row.to_version,
            status=row.status,
            total=row.total,
            migrated=row.migrated,
            failed=row.failed,
            last_error=row.last_error,
            plan=row.plan,
        )


@strawberry.input(description="A draft field definition to save.")
class SaveFieldDefinitionDraftInput:
    kind: FieldDefinitionKind = strawberry.field(description="Which entity's fields.")
    document: JSON = strawberry.field(
        description='{"sections": [{"key","label"}], "fields": [{"key","label","type",...}]}'
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Publish the draft of a kind.")
class PublishFieldDefinitionInput:
    kind: FieldDefinitionKind = strawberry.field(description="Which entity's fields.")
    migration: JSON | None = strawberry.field(
        default=None,
        description='Needed for breaking changes: {"defaults": {key: value}, "option_map": '
        '{key: {old: new}}, "archive": [keys], "convert": {key: "to_text"}}.',
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type(description="The saved draft.")
class FieldDefinitionDraftPayload:
    draft: FieldDefinitionDraft = strawberry.field(description="The draft.")


@strawberry.type(description="The published version, and the migration it started, if any.")
class PublishFieldDefinitionPayload:
    schema: FieldSchema = strawberry.field(description="The new published version.")
    migration: SchemaMigration | None = strawberry.field(
        description="Records being migrated; null when none needed it."
    )


async def _field_schema(tenant_id: int, kind: FieldDefinitionKind) -> FieldSchema:
    version, compiled = await service.current_fields(tenant_id, kind.value)
    row = await service.published_version(tenant_id, kind.value)
    return FieldSchema(
        kind=kind,
        version=version,
        json_schema=compiled.json_schema,
        ui_hints=compiled.ui_hints,
        document=row.document if row else service.EMPTY_DOCUMENTS[kind.value],
    )


KindArg = Annotated[FieldDefinitionKind, strawberry.argument(description="Which entity's fields.")]


@strawberry.type
class MetadataQueries:
    @strawberry.field(
        description="The published customer field schema and UI hints, for form renderers.",
        extensions=requires(),
    )
    async def customer_field_schema(self, info: Info) -> FieldSchema:
        return await _field_schema(
            info.context.actor.tenant_id, FieldDefinitionKind.CUSTOMER_FIELDS
        )

    @strawberry.field(description="The published field schema of a kind.", extensions=requires())
    async def field_schema(self, info: Info, kind: KindArg) -> FieldSchema:
        return await _field_schema(info.context.actor.tenant_id, kind)

    @strawberry.field(
        description="The admin's draft of a kind, if any.", extensions=requires("metadata:manage")
    )
    async def field_definition_draft(
        self, info: Info, kind: KindArg
    ) -> FieldDefinitionDraft | None:
        row = await service.get_draft(info.context.actor, kind.value)
        if row is None:
            return None
        return FieldDefinitionDraft(kind=kind, document=row.document, updated_at=row.updated_at)

    @strawberry.field(
        description="What publishing the draft would change and break (a dry run).",
        extensions=requires("metadata:manage"),
    )
    async def field_definition_diff(self, info: Info, kind: KindArg) -> list[DefinitionChange]:
        impacts = await service.preview(info.context.actor, kind.value)
        return [
            DefinitionChange(
                key=i.key,
                kind=i.kind,
                severity=i.severity,
                breaking=i.breaking,
                affected=i.affected,
                sample_ids=i.sample_ids,
                detail=i.detail,
            )
            for i in impacts
        ]


@strawberry.type
class MetadataMutations:
    @strawberry.mutation(
        description="Save a draft field definition; it is checked against the meta-schema "
        "and every problem is reported with its path.",
        extensions=requires("metadata:manage"),
    )
    async def save_field_definition_draft(
        self,
        info: Info,
        input: Annotated[
            SaveFieldDefinitionDraftInput, strawberry.argument(description="The draft.")
        ],
    ) -> FieldDefinitionDraftPayload:
        row = await service.save_draft(info.context.actor, input.kind.value, input.document)
        return FieldDefinitionDraftPayload(
            draft=FieldDefinitionDraft(
                kind=input.kind, document=row.document, updated_at=row.updated_at
            )
        )

    @strawberry.mutation(
        description="Publish the draft as a new immutable version. Changes that would break "
        "records are refused (CONFLICT with `breakingChanges`: affected counts and sample "
        "ids) unless `migration` covers them; records then migrate on Temporal.",
        extensions=requires("metadata:manage"),
    )
    async def publish_field_definition(
        self,
        info: Info,
        input: Annotated[
            PublishFieldDefinitionInput, strawberry.argument(description="What to publish.")
        ],
    ) -> PublishFieldDefinitionPayload:
        plan = input.migration
        if plan is not None and not isinstance(plan, dict):
            raise invalid(("input", "migration"), "type", "An object")
        _, migration = await service.publish(info.context.actor, input.kind.value, plan)
        return PublishFieldDefinitionPayload(
            schema=await _field_schema(info.context.actor.tenant_id, input.kind),
            migration=SchemaMigration.from_row(migration) if migration else None,
        )
