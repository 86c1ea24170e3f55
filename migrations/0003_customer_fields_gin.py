"""PostgreSQL only: a GIN index on customer.fields (jsonb_path_ops), which answers the
filter compiler's equality filters on custom fields (`fields @> '{"k": v}'`)."""

from tortoise import migrations
from tortoise.migrations import operations as ops


async def _create(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(
            'CREATE INDEX IF NOT EXISTS "customer_fields_gin" '
            'ON "customer" USING gin ("fields" jsonb_path_ops)'
        )


async def _drop(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script('DROP INDEX IF EXISTS "customer_fields_gin"')


class Migration(migrations.Migration):
    dependencies = [("scrm", "0002_customers_metadata")]

    initial = False

    operations = [ops.RunPython(_create, _drop)]
