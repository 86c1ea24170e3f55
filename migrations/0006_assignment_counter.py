from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('scrm', '0005_customer_default_order_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AssignmentCounter',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('scrm.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('queue', fields.CharField(max_length=100)),
                ('staff', fields.ForeignKeyField('scrm.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('assigned', fields.BigIntField(default=0)),
            ],
            options={'table': 'assignment_counter', 'app': 'scrm', 'unique_together': (('tenant_id', 'queue', 'staff_id'),), 'pk_attr': 'id', 'table_description': 'Items a staff member has received from one queue (a pool, a channel code...).'},
            bases=['Model'],
        ),
    ]
