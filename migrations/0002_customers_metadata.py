from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('scrm', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DefinitionVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=64)),
                ('version', fields.IntField(null=True)),
                ('status', fields.CharField(max_length=16)),
                ('document', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('scrm.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'definition_version', 'app': 'scrm', 'unique_together': (('tenant_id', 'kind', 'version'),), 'indexes': [Index(fields=['tenant_id', 'kind', 'status'])], 'pk_attr': 'id', 'table_description': "A tenant's definition of one kind (customer fields, lifecycle stages...)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LifecycleTemplate',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('document', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('department_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('is_default', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lifecycle_template', 'app': 'scrm', 'unique_together': (('tenant_id', 'name'),), 'pk_attr': 'id', 'table_description': 'An ordered list of lifecycle stages for a business line (departments).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Customer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('owner', fields.ForeignKeyField('scrm.Staff', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharField(default='manual', max_length=64)),
                ('fields', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('schema_version', fields.IntField(default=0)),
                ('stage_template', fields.ForeignKeyField('scrm.LifecycleTemplate', source_field='stage_template_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('stage_key', fields.CharField(null=True, max_length=64)),
                ('merged_into_id', fields.BigIntField(null=True)),
                ('created_by', fields.ForeignKeyField('scrm.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_by', fields.ForeignKeyField('scrm.Staff', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'customer', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'owner_id']), Index(fields=['tenant_id', 'created_at']), Index(fields=['tenant_id', 'name']), Index(fields=['tenant_id', 'stage_key'])], 'pk_attr': 'id', 'table_description': 'A customer of the tenant. Custom field values live in `fields`, valid against'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CustomerFollower',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('scrm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'customer_follower', 'app': 'scrm', 'unique_together': (('customer_id', 'staff_id'),), 'indexes': [Index(fields=['tenant_id', 'staff_id'])], 'pk_attr': 'id', 'table_description': 'A staff member following a customer (e.g. a WeCom friend of theirs).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('scrm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharField(max_length=16)),
                ('content', fields.TextField(default='', unique=False)),
                ('next_follow_up_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follow_up', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'customer_id', 'created_at']), Index(fields=['tenant_id', 'next_follow_up_at'])], 'pk_attr': 'id', 'table_description': 'A follow-up record: a call, visit, chat or note, with an optional next date.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SchemaMigration',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=64)),
                ('from_version', fields.IntField()),
                ('to_version', fields.IntField()),
                ('plan', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('total', fields.IntField(default=0)),
                ('migrated', fields.IntField(default=0)),
                ('failed', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_by', fields.ForeignKeyField('scrm.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'schema_migration', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'kind', 'created_at'])], 'pk_attr': 'id', 'table_description': "Moving an entity's records from one published field version to the next, in"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TagGroup',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('target', fields.CharField(default='customer', max_length=16)),
                ('department_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tag_group', 'app': 'scrm', 'unique_together': (('tenant_id', 'target', 'name'),), 'pk_attr': 'id', 'table_description': 'A group of tags, for customers or for chat groups, usable by staff of'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tag',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('scrm.TagGroup', source_field='group_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('order', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tag', 'app': 'scrm', 'unique_together': (('group_id', 'name'),), 'pk_attr': 'id', 'table_description': 'A tag in a tag group.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CustomerTag',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('scrm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('tag', fields.ForeignKeyField('scrm.Tag', source_field='tag_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('scrm.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'customer_tag', 'app': 'scrm', 'unique_together': (('customer_id', 'tag_id'),), 'indexes': [Index(fields=['tenant_id', 'tag_id'])], 'pk_attr': 'id', 'table_description': 'A tag applied to a customer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TimelineEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('scrm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'timeline_event', 'app': 'scrm', 'indexes': [Index(fields=['tenant_id', 'customer_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One thing that happened to a customer, for its timeline.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UniqueValue',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('entity', fields.CharField(max_length=32)),
                ('field_key', fields.CharField(max_length=64)),
                ('value', fields.CharField(max_length=512)),
                ('record_id', fields.BigIntField()),
            ],
            options={'table': 'unique_value', 'app': 'scrm', 'unique_together': (('tenant_id', 'entity', 'field_key', 'value'),), 'indexes': [Index(fields=['tenant_id', 'entity', 'record_id'])], 'pk_attr': 'id', 'table_description': 'The normalised value of a unique custom field of one record: the unique'},
            bases=['Model'],
        ),
    ]
