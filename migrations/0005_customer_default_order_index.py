from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('scrm', '0004_events_webhooks')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Customer',
            name=None,
            fields=['tenant_id', 'created_at'],
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['tenant_id', 'created_at', 'id']),
        ),
    ]
