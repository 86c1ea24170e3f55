"""Publishing field versions: safe changes go through, each breaking-change class is
refused with counts and samples unless a migration is given, and the migration runs on
Temporal in batches until every record is on the new version."""

from __future__ import annotations

import copy
from typing import Any

from temporalio.testing import WorkflowEnvironment

from api.customers.models import Customer
from api.metadata.models import DefinitionVersion, SchemaMigration
from tests.conftest import GQL, Org
from tests.customers.helpers import FIELDS, PUBLISH, SAVE_DRAFT, create, org_with_fields
from workflows.schema_migration.starter import migration_workflow_id

DIFF = """{ fieldDefinitionDiff(kind: CUSTOMER_FIELDS) { key kind severity breaking affected
  sampleIds } }"""


def changed(mutate) -> dict[str, Any]:
    doc = copy.deepcopy(FIELDS)
    mutate({f["key"]: f for f in doc["fields"]}, doc)
    return doc


async def _draft(gql: GQL, org: Org, doc: dict) -> GQL:
    admin = gql.as_(org.token("admin"))
    await admin.ok(SAVE_DRAFT, {"doc": doc})
    return admin


async def _run_migration(env: WorkflowEnvironment, migration_id: str) -> SchemaMigration:
    import base64

    pk = int(base64.b64decode(migration_id).decode().split(":")[1])
    await env.client.get_workflow_handle(migration_workflow_id(pk)).result()
    return await SchemaMigration.get(id=pk)


async def test_invalid_definition_reports_every_problem(gql: GQL, org_a: Org) -> None:
    bad = {
        "sections": [],
        "fields": [
            {"key": "Bad Key", "label": "x", "type": "text"},
            {"key": "lvl", "label": "Level", "type": "single_select"},
            {"key": "flag", "label": "Flag", "type": "boolean", "unique": True},
            {"key": "x", "label": "X", "type": "nonsense"},
        ],
    }
    error = await gql.as_(org_a.token("admin")).error(SAVE_DRAFT, {"doc": bad})
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    paths = [tuple(e["path"][:4]) for e in error["extensions"]["fieldErrors"]]
    for i in range(4):
        assert any(p[:4] == ("input", "document", "fields", i) for p in paths), (i, paths)
    error = await gql.as_(org_a.token("manager")).error(SAVE_DRAFT, {"doc": FIELDS})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_safe_change_publishes_and_is_served(gql: GQL) -> None:
    org = await org_with_fields(gql)
    doc = changed(
        lambda f, d: d["fields"].append(
            {"key": "wechat", "label": "WeChat", "type": "text", "unique": True}
        )
    )
    admin = await _draft(gql, org, doc)
    data = await admin.ok(PUBLISH, {"migration": None})
    assert data["publishFieldDefinition"]["schema"]["version"] == 2
    assert data["publishFieldDefinition"]["migration"] is None
    schema = await gql.as_(org.token("staff")).ok(
        "{ customerFieldSchema { version jsonSchema uiHints } }"
    )
    assert "wechat" in schema["customerFieldSchema"]["jsonSchema"]["properties"]
    assert "wechat" in schema["customerFieldSchema"]["uiHints"]["order"]
    v1 = await DefinitionVersion.get(tenant_id=org.tenant.id, kind="customer_fields", version=1)
    assert "wechat" not in str(v1.document)  # published versions never change


async def test_option_removed_in_use_needs_a_mapping(
    gql: GQL, temporal_env: WorkflowEnvironment
) -> None:
    org = await org_with_fields(gql)
    for i, level in enumerate(["A", "B", "C", "C"]):
        await create(gql, org, "admin", f"L{i}", level=level)
    doc = changed(
        lambda f, d: f["level"]["rules"].update(
            options=[{"value": "A", "label": "A"}, {"value": "B", "label": "B"}]
        )
    )
    admin = await _draft(gql, org, doc)
    preview = (await admin.ok(DIFF))["fieldDefinitionDiff"]
    removed = next(c for c in preview if c["kind"] == "options_removed")
    assert removed["affected"] == 2 and removed["breaking"] and len(removed["sampleIds"]) == 2
    error = await admin.error(PUBLISH, {"migration": None})
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["breakingChanges"][0]["affected"] == 2
    assert await DefinitionVersion.filter(tenant_id=org.tenant.id, status="published").count() == 1
    data = await admin.ok(PUBLISH, {"migration": {"option_map": {"level": {"C": "B"}}}})
    migration = await _run_migration(
        temporal_env, data["publishFieldDefinition"]["migration"]["id"]
    )
    assert (migration.status, migration.total, migration.migrated) == ("done", 4, 4)
    levels = (
        await Customer.filter(tenant_id=org.tenant.id)
        .order_by("id")
        .values_list("fields", "schema_version")
    )
    assert [(f["level"], v) for f, v in levels] == [("A", 2), ("B", 2), ("B", 2), ("B", 2)]


async def test_type_change_in_use_is_migrated_by_conversion(gql: GQL, temporal_env) -> None:
    org = await org_with_fields(gql)
    await create(gql, org, "admin", "T1", budget=12)
    await create(gql, org, "admin", "T2")
    doc = changed(lambda f, d: f["budget"].update(type="text", rules={}))
    admin = await _draft(gql, org, doc)
    error = await admin.error(PUBLISH, {"migration": None})
    assert error["extensions"]["breakingChanges"][0]["kind"] == "type_changed"
    assert error["extensions"]["breakingChanges"][0]["affected"] == 1
    data = await admin.ok(PUBLISH, {"migration": {"convert": {"budget": "to_text"}}})
    migration = await _run_migration(
        temporal_env, data["publishFieldDefinition"]["migration"]["id"]
    )
    assert migration.status == "done"
    t1 = await Customer.get(tenant_id=org.tenant.id, name="T1")
    assert t1.fields["budget"] == "12" and t1.schema_version == 2


async def test_required_added_without_default_needs_one(gql: GQL, temporal_env) -> None:
    org = await org_with_fields(gql)
    await create(gql, org, "admin", "R1")
    doc = changed(
        lambda f, d: d["fields"].append(
            {"key": "city", "label": "City", "type": "text", "required": True}
        )
    )
    admin = await _draft(gql, org, doc)
    error = await admin.error(PUBLISH, {"migration": None})
    assert error["extensions"]["code"] == "CONFLICT"
    bad = await admin.error(PUBLISH, {"migration": {"defaults": {}}})
    assert bad["extensions"]["code"] == "VALIDATION_FAILED"
    data = await admin.ok(PUBLISH, {"migration": {"defaults": {"city": "Shanghai"}}})
    await _run_migration(temporal_env, data["publishFieldDefinition"]["migration"]["id"])
    r1 = await Customer.get(tenant_id=org.tenant.id, name="R1")
    assert r1.fields["city"] == "Shanghai"


async def test_field_removed_in_use_is_refused_but_archiving_is_safe(gql: GQL) -> None:
    org = await org_with_fields(gql)
    await create(gql, org, "admin", "N1", note="keep me")
    admin = await _draft(gql, org, changed(lambda f, d: d["fields"].remove(f["note"])))
    error = await admin.error(PUBLISH, {"migration": None})
    assert error["extensions"]["breakingChanges"][0]["kind"] == "field_removed"
    admin = await _draft(gql, org, changed(lambda f, d: f["note"].update(archived=True)))
    data = await admin.ok(PUBLISH, {"migration": None})
    assert data["publishFieldDefinition"]["schema"]["version"] == 2
    n1 = await Customer.get(tenant_id=org.tenant.id, name="N1")
    assert n1.fields["note"] == "keep me"


async def test_unique_added_with_duplicates_is_refused_even_with_a_plan(gql: GQL) -> None:
    org = await org_with_fields(gql)
    await create(gql, org, "admin", "D1", note="same")
    await create(gql, org, "admin", "D2", note="same")
    await create(gql, org, "admin", "D3", note="other")
    admin = await _draft(
        gql,
        org,
        changed(lambda f, d: d["fields"].append({"key": "code", "label": "Code", "type": "text"})),
    )
    await admin.ok(PUBLISH, {"migration": None})
    for name, code in (("D1", "X-1"), ("D2", "x-1 "), ("D3", "X-2")):
        row = await Customer.get(tenant_id=org.tenant.id, name=name)
        row.fields = {**row.fields, "code": code}
        row.schema_version = 2
        await row.save()
    doc = changed(
        lambda f, d: d["fields"].append(
            {"key": "code", "label": "Code", "type": "text", "unique": True}
        )
    )
    admin = await _draft(gql, org, doc)
    error = await admin.error(PUBLISH, {"migration": {"defaults": {}}})
    assert error["extensions"]["code"] == "CONFLICT"
    change = error["extensions"]["breakingChanges"][0]
    assert change["kind"] == "unique_added" and change["affected"] == 1


async def test_migration_whose_start_failed_is_resumed_by_maintenance(
    gql: GQL, temporal_env: WorkflowEnvironment
) -> None:
    from temporalio.client import Client

    from api.maintenance import run_all
    from workflows.client import set_client

    org = await org_with_fields(gql)
    await create(gql, org, "admin", "Late", level="C")
    doc = changed(lambda f, d: f["level"]["rules"].update(options=[{"value": "A", "label": "A"}]))
    admin = await _draft(gql, org, doc)
    previous = set_client(await Client.connect("127.0.0.1:1", lazy=True))  # Temporal is down
    try:
        data = await admin.ok(PUBLISH, {"migration": {"option_map": {"level": {"C": "A"}}}})
    finally:
        set_client(previous)
    migration_id = data["publishFieldDefinition"]["migration"]["id"]
    assert data["publishFieldDefinition"]["migration"]["status"] == "pending"
    await run_all()  # what each API process does periodically
    migration = await _run_migration(temporal_env, migration_id)
    assert (migration.status, migration.migrated) == ("done", 1)


async def test_partial_option_map_is_refused_only_while_unmapped_values_are_in_use(
    gql: GQL,
) -> None:
    org = await org_with_fields(gql)
    await create(gql, org, "admin", "UsesB", level="B")
    doc = changed(lambda f, d: f["level"]["rules"].update(options=[{"value": "A", "label": "A"}]))
    admin = await _draft(gql, org, doc)
    error = await admin.error(PUBLISH, {"migration": {"option_map": {"level": {"C": "A"}}}})
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["fieldErrors"][0]["rule"] == "migration_required"
    # C is unused, so mapping only B is enough.
    data = await admin.ok(PUBLISH, {"migration": {"option_map": {"level": {"B": "A"}}}})
    assert data["publishFieldDefinition"]["schema"]["version"] == 2
