"""Tables of the metadata engine: versioned definitions, dedup keys of unique fields, and
schema migrations of records."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from api.db import ScopeRule


class DefinitionVersion(Model):
    """A tenant's definition of one kind (customer fields, lifecycle stages...).

    At most one draft (version NULL) per (tenant, kind); published versions are numbered
    1, 2, ... and never change.
    """

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=64)
    version = fields.IntField(null=True)
    status = fields.CharField(max_length=16)  # draft | published
    document = fields.JSONField()
    created_by = fields.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True)

    scope = ScopeRule()

    class Meta:
        table = "definition_version"
        unique_together = (("tenant_id", "kind", "version"),)
        indexes = (("tenant_id", "kind", "status"),)


class UniqueValue(Model):
    """The normalised value of a unique custom field of one record: the unique
    constraint settles concurrent creates of the same phone number in the database."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    entity = fields.CharField(max_length=32)
    field_key = fields.CharField(max_length=64)
    value = fields.CharField(max_length=512)
    record_id = fields.BigIntField()

    class Meta:
        table = "unique_value"
        unique_together = (("tenant_id", "entity", "field_key", "value"),)
        indexes = (("tenant_id", "entity", "record_id"),)


class SchemaMigration(Model):
    """Moving an entity's records from one published field version to the next, in
    batches, by a Temporal workflow."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=64)
    from_version = fields.IntField()
    to_version = fields.IntField()
    plan = fields.JSONField()
    status = fields.CharField(max_length=16, default="pending")  # pending|running|done|failed
    total = fields.IntField(default=0)
    migrated = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    created_by = fields.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    scope = ScopeRule()

    class Meta:
        table = "schema_migration"
        indexes = (("tenant_id", "kind", "created_at"),)
