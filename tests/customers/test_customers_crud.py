"""Customers: validation against the published fields, dedup keys, scope, timeline."""

from __future__ import annotations

import asyncio

from api.customers.models import Customer
from api.metadata.models import UniqueValue
from tests.conftest import GQL
from tests.customers.helpers import CREATE, create, org_with_fields

UPDATE = """mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
  customer { id name fields } } }"""
TIMELINE = """query($id: ID!) { customer(id: $id) { timeline(first: 50) { totalCount
  edges { node { kind data staff { name } } } } } }"""


async def test_create_validates_every_field_at_once_and_writes_nothing(gql: GQL) -> None:
    org = await org_with_fields(gql)
    before = await Customer.filter(tenant_id=org.tenant.id).count()
    error = await gql.as_(org.token("staff")).error(
        CREATE,
        {
            "input": {
                "name": "Bad",
                "fields": {
                    "phone": "call me",
                    "email": "a@b",
                    "level": "Z",
                    "budget": -5,
                    "birthday": "2026-02-30",
                    "unknown": 1,
                },
            }
        },
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    paths = {tuple(e["path"]) for e in error["extensions"]["fieldErrors"]}
    for key in ("phone", "email", "level", "budget", "birthday"):
        assert ("input", "fields", key) in paths, (key, paths)
    assert any(
        (p[:2] == ("input", "fields") and "unknown" in str(p)) or p == ("input", "fields")
        for p in paths
    )
    assert await Customer.filter(tenant_id=org.tenant.id).count() == before
    assert not await UniqueValue.filter(tenant_id=org.tenant.id).exists()


async def test_create_update_and_timeline(gql: GQL) -> None:
    org = await org_with_fields(gql)
    customer = await create(gql, org, "staff", "Li Lei", phone="138 0000 0001", level="A")
    assert customer["owner"] == {"name": "Stan Staff"}
    assert customer["schemaVersion"] == 1
    staff = gql.as_(org.token("staff"))
    updated = await staff.ok(
        UPDATE,
        {
            "input": {
                "id": customer["id"],
                "name": "Li Lei Jr",
                "fields": {"level": "B", "vip": True},
            }
        },
    )
    assert updated["updateCustomer"]["customer"]["fields"]["level"] == "B"
    timeline = (await staff.ok(TIMELINE, {"id": customer["id"]}))["customer"]["timeline"]
    kinds = [e["node"]["kind"] for e in timeline["edges"]]
    assert kinds == ["updated", "created"]
    changes = timeline["edges"][0]["node"]["data"]["changes"]
    assert changes["level"] == {"before": "A", "after": "B"}
    assert changes["vip"] == {"before": None, "after": True}
    assert changes["name"] == {"before": "Li Lei", "after": "Li Lei Jr"}
    assert timeline["edges"][0]["node"]["staff"] == {"name": "Stan Staff"}


async def test_duplicate_phone_conflicts_and_names_the_field(gql: GQL) -> None:
    org = await org_with_fields(gql)
    first = await create(gql, org, "staff", "A", phone="+86 138-0000-0002")
    # Same number written differently: the normalised dedup key matches.
    own = await gql.as_(org.token("manager")).error(
        CREATE, {"input": {"name": "B", "fields": {"phone": "+8613800000002"}}}
    )
    assert own["extensions"]["code"] == "CONFLICT"
    assert own["extensions"]["field"] == "phone"
    assert own["extensions"]["existingId"] == first["id"]  # the manager may see it
    hidden = await gql.as_(org.token("outsider")).error(
        CREATE, {"input": {"name": "C", "fields": {"phone": "+8613800000002"}}}
    )
    assert hidden["extensions"]["code"] == "CONFLICT"
    assert "existingId" not in hidden["extensions"]  # nothing leaks across scopes


async def test_concurrent_creates_of_one_phone_make_one_record(gql: GQL) -> None:
    org = await org_with_fields(gql)
    staff = gql.as_(org.token("staff"))
    variables = {"input": {"name": "Racer", "fields": {"phone": "13900000003"}}}
    results = await asyncio.gather(*(staff(CREATE, variables) for _ in range(20)))
    codes = [r["errors"][0]["extensions"]["code"] for r in results if r.get("errors")]
    assert len([r for r in results if not r.get("errors")]) == 1
    assert codes == ["CONFLICT"] * 19
    assert await Customer.filter(tenant_id=org.tenant.id, name="Racer").count() == 1
    assert await UniqueValue.filter(tenant_id=org.tenant.id, field_key="phone").count() == 1


async def test_updating_a_unique_value_moves_the_dedup_key(gql: GQL) -> None:
    org = await org_with_fields(gql)
    a = await create(gql, org, "staff", "A", email="a@x.test")
    staff = gql.as_(org.token("staff"))
    await staff.ok(UPDATE, {"input": {"id": a["id"], "fields": {"email": "new@x.test"}}})
    b = await create(gql, org, "staff", "B", email="A@X.test")  # the old value is free again
    assert b["fields"]["email"] == "A@X.test"
    error = await staff.error(CREATE, {"input": {"name": "C", "fields": {"email": "NEW@x.test"}}})
    assert error["extensions"]["code"] == "CONFLICT"


async def test_data_scope_on_customers(gql: GQL) -> None:
    org = await org_with_fields(gql)
    await create(gql, org, "staff", "Of Stan")
    await create(gql, org, "staff2", "Of Stella")
    await create(gql, org, "outsider", "Of Otto")
    query = "{ customers(first: 50) { totalCount edges { node { name } } } }"

    async def names(who: str) -> set[str]:
        data = await gql.as_(org.token(who)).ok(query)
        return {e["node"]["name"] for e in data["customers"]["edges"]}

    assert await names("staff") == {"Of Stan"}
    assert await names("manager") == {"Of Stan", "Of Stella"}
    assert await names("admin") == {"Of Stan", "Of Stella", "Of Otto"}
    assert await names("inspector") == {"Of Stan", "Of Stella", "Of Otto"}
    # A follower sees the customer too.
    otto = (
        await gql.as_(org.token("admin")).ok(
            '{ customers(where: {name: {eq: "Of Otto"}}) { edges { node { id } } } }'
        )
    )["customers"]["edges"][0]["node"]["id"]
    from api.relay import encode_id

    await gql.as_(org.token("admin")).ok(
        """mutation($c: ID!, $s: ID!) { addCustomerFollower(input: {customerId: $c, staffId: $s})
           { customer { followers { name } } } }""",
        {"c": otto, "s": encode_id("Staff", org.people["staff"].id)},
    )
    assert await names("staff") == {"Of Stan", "Of Otto"}
    error = await gql.as_(org.token("staff2")).error(
        "query($id: ID!) { customer(id: $id) { name } }", {"id": otto}
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    # Inspectors read but do not write.
    error = await gql.as_(org.token("inspector")).error(CREATE, {"input": {"name": "x"}})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_delete_releases_dedup_keys(gql: GQL) -> None:
    org = await org_with_fields(gql)
    a = await create(gql, org, "staff", "A", phone="13700000009")
    await gql.as_(org.token("staff")).ok(
        "mutation($id: ID!) { deleteCustomer(input: {id: $id}) { deletedId } }", {"id": a["id"]}
    )
    again = await create(gql, org, "staff", "A again", phone="13700000009")
    assert again["fields"]["phone"] == "13700000009"
    assert await Customer.filter(tenant_id=org.tenant.id).count() == 1


async def test_fields_hidden_from_a_role_are_left_out(gql: GQL) -> None:
    import copy

    from tests.customers.helpers import FIELDS, publish

    org = await org_with_fields(gql)
    doc = copy.deepcopy(FIELDS)
    next(f for f in doc["fields"] if f["key"] == "budget")["visible_to"] = ["admin", "manager"]
    await publish(gql, org, doc)
    customer = await create(gql, org, "staff", "Secretive", budget=900, level="A")
    query = "query($id: ID!) { customer(id: $id) { fields } }"
    as_staff = await gql.as_(org.token("staff")).ok(query, {"id": customer["id"]})
    as_manager = await gql.as_(org.token("manager")).ok(query, {"id": customer["id"]})
    assert as_staff["customer"]["fields"] == {"level": "A"}
    assert as_manager["customer"]["fields"] == {"level": "A", "budget": 900}
