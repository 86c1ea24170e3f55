"""API keys: shown once, stored hashed, scoped, revocable."""

from __future__ import annotations

from api.org.models import ApiKey
from tests.conftest import GQL, Org

CREATE = """mutation($name: String!, $scopes: [String!]!) {
  createApiKey(input: {name: $name, scopes: $scopes}) { key apiKey { id prefix scopes } } }"""
STAFF = "{ staff(first: 5) { totalCount } }"


async def test_key_is_shown_once_and_stored_only_as_digest(gql: GQL, org_a: Org) -> None:
    data = await gql.as_(org_a.token("admin")).ok(
        CREATE, {"name": "crm sync", "scopes": ["org:read"]}
    )
    key = data["createApiKey"]["key"]
    assert key.startswith(data["createApiKey"]["apiKey"]["prefix"])
    rows = await ApiKey.filter(tenant_id=org_a.tenant.id).values()
    assert rows and all(key not in str(row) for row in rows)
    listed = await gql.as_(org_a.token("admin")).ok("{ apiKeys { edges { node { prefix } } } }")
    assert "key" not in str(listed).replace("apiKeys", "")


async def test_key_authenticates_with_its_scopes_only(gql: GQL, org_a: Org) -> None:
    admin = gql.as_(org_a.token("admin"))
    key = (await admin.ok(CREATE, {"name": "reader", "scopes": ["org:read"]}))["createApiKey"][
        "key"
    ]
    integrator = gql.as_(key)
    assert (await integrator.ok(STAFF))["staff"]["totalCount"] >= 7  # tenant-wide rows
    denied = await integrator.error(
        'mutation { createDepartment(input: {name: "X"}) { department { id } } }'
    )
    assert denied["extensions"]["code"] == "FORBIDDEN"
    # A key is not a staff member.
    assert (await integrator.error("{ me { name } }"))["extensions"]["code"] == "FORBIDDEN"


async def test_key_without_read_scope_cannot_read(gql: GQL, org_a: Org) -> None:
    admin = gql.as_(org_a.token("admin"))
    key = (await admin.ok(CREATE, {"name": "writer", "scopes": ["org:write"]}))["createApiKey"][
        "key"
    ]
    error = await gql.as_(key).error(STAFF)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_revoked_and_forged_keys_fail(gql: GQL, org_a: Org) -> None:
    admin = gql.as_(org_a.token("admin"))
    created = (await admin.ok(CREATE, {"name": "temp", "scopes": ["org:read"]}))["createApiKey"]
    key = created["key"]
    await gql.as_(key).ok(STAFF)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert (await gql.as_(forged).error(STAFF))["extensions"]["code"] == "UNAUTHENTICATED"
    await admin.ok(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
        {"id": created["apiKey"]["id"]},
    )
    assert (await gql.as_(key).error(STAFF))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unknown_scope_is_a_validation_error_and_nothing_is_stored(
    gql: GQL, org_a: Org
) -> None:
    before = await ApiKey.filter(tenant_id=org_a.tenant.id).count()
    error = await gql.as_(org_a.token("admin")).error(
        CREATE, {"name": "", "scopes": ["org:read", "root:everything"]}
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    paths = {tuple(e["path"]) for e in error["extensions"]["fieldErrors"]}
    assert paths == {("input", "name"), ("input", "scopes", 1)}
    assert await ApiKey.filter(tenant_id=org_a.tenant.id).count() == before


async def test_only_admins_manage_keys(gql: GQL, org_a: Org) -> None:
    error = await gql.as_(org_a.token("manager")).error(
        CREATE, {"name": "x", "scopes": ["org:read"]}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
