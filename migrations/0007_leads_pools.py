"""Leads and pools: pools with departments, members and holdings; leads, their
assignments, timeline and funnel transitions (plus, on PostgreSQL only, a GIN index on
lead.fields for custom-field filters)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

async def _create_gin(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(
            'CREATE INDEX IF NOT EXISTS "lead_fields_gin" ON "lead" USING gin ("fields" jsonb_path_ops)'
        )


async def _drop_gin(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script('DROP INDEX IF EXISTS "lead_fields_gin"')


class Migration(migrations.Migration):
    dependencies = [('scrm', '0006_assignment_counter')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Pool',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('holding_cap', fields.IntField(null=True)),
                ('claims_per_day', fields.IntField(null=True)),
                ('claim_interval_seconds', fields.IntField(default=0)),
                ('strategy', fields.CharField(default='manual', max_length=16)),
                ('recycle', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('archived', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lead_pool', 'app': 'scrm', 'unique_together': (('tenant_id', 'name'),), 'pk_attr': 'id', 'table_description': "A pool (公海) of leads, bound to departments whose staff (and their subdepartments'"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lead',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('source', fields.CharField(default='manual', max_length=64)),
                ('status', fields.CharField(default='new', max_length=16)),
                ('fields', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('schema_version', fields.IntField(default=0)),
                ('pool', fields.ForeignKeyField('scrm.Pool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('owner', fields.ForeignKeyField('scrm.Staff', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('assignment_id', fields.BigIntField(null=True)),
                ('customer_id', fields.BigIntField(null=True)),
                ('last_follow_up_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('scrm.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lead', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'owner_id', 'pool_id']), Index(fields=['tenant_id', 'pool_id', 'status']), Index(fields=['tenant_id', 'created_at', 'id']), Index(fields=['tenant_id', 'source'])], 'pk_attr': 'id', 'table_description': 'A sales lead: a person or company not yet a customer. Custom field values live in'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeadAssignment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lead', fields.ForeignKeyField('scrm.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('pool', fields.ForeignKeyField('scrm.Pool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('how', fields.CharField(max_length=16)),
                ('by', fields.ForeignKeyField('scrm.Staff', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('rule', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('deadline_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('workflow_started', fields.BooleanField(default=False)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('end_reason', fields.CharField(null=True, max_length=16)),
                ('end_note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'lead_assignment', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'lead_id']), Index(fields=['tenant_id', 'staff_id', 'started_at']), Index(fields=['workflow_started', 'ended_at'])], 'pk_attr': 'id', 'table_description': 'One hold of a lead by a staff member, from claim/assignment to its end. Carries'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeadTimelineEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lead', fields.ForeignKeyField('scrm.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('assignment_id', fields.BigIntField(null=True)),
                ('kind', fields.CharField(max_length=32)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lead_timeline_event', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'lead_id', 'created_at']), Index(fields=['assignment_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'One thing that happened to a lead: created, claimed, follow-ups, recycled... Kept'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeadTransition',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lead', fields.ForeignKeyField('scrm.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=16)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lead_transition', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'at', 'step'])], 'pk_attr': 'id', 'table_description': 'A step of a lead through the funnel (created, assigned, valid, invalid,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PoolDepartment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('pool', fields.ForeignKeyField('scrm.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('department', fields.ForeignKeyField('scrm.Department', source_field='department_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'lead_pool_department', 'app': 'scrm', 'unique_together': (('pool_id', 'department_id'),), 'indexes': [Index(fields=['tenant_id', 'department_id'])], 'pk_attr': 'id', 'table_description': "A department bound to a pool: its staff and its subdepartments' staff use it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PoolHolding',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('pool', fields.ForeignKeyField('scrm.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('claim_day', fields.CharField(default='', max_length=10)),
                ('claims_on_day', fields.IntField(default=0)),
                ('last_claim_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('touches', fields.BigIntField(default=0)),
            ],
            options={'table': 'lead_pool_holding', 'app': 'scrm', 'unique_together': (('pool_id', 'staff_id'),), 'pk_attr': 'id', 'table_description': "One staff member's claims from one pool: the row claims lock (conditional update)"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PoolMember',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('pool', fields.ForeignKeyField('scrm.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('weight', fields.IntField(default=1)),
                ('holding_cap', fields.IntField(null=True)),
                ('auto_assign', fields.BooleanField(default=True)),
                ('online', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'lead_pool_member', 'app': 'scrm', 'unique_together': (('pool_id', 'staff_id'),), 'pk_attr': 'id', 'table_description': 'Per-staff settings of a pool: weight for weighted assignment, a holding cap'},
            bases=['Model'],
        ),
        ops.RunPython(_create_gin, _drop_gin),
    ]
