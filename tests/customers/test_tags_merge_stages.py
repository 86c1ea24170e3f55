"""Tags (department-scoped groups, bulk), lifecycle stages, and merging customers."""

from __future__ import annotations

from api.customers.models import Customer, CustomerFollower, CustomerTag, FollowUp, TimelineEvent
from api.metadata.models import UniqueValue
from api.relay import encode_id
from tests.conftest import GQL
from tests.customers.helpers import create, org_with_fields, pk

GROUP = """mutation($input: CreateTagGroupInput!) { createTagGroup(input: $input) {
  tagGroup { id name tags { id name } } } }"""
TAG = """mutation($input: TagCustomersInput!) { tagCustomers(input: $input) {
  customers { name tags { name group { name } } } } }"""
UNTAG = """mutation($input: TagCustomersInput!) { untagCustomers(input: $input) {
  customers { name tags { name } } } }"""


async def test_tag_groups_are_scoped_to_departments(gql: GQL) -> None:
    org = await org_with_fields(gql)
    admin = gql.as_(org.token("admin"))
    sales_only = (
        await admin.ok(
            GROUP,
            {
                "input": {
                    "name": "Sales signals",
                    "departmentIds": [encode_id("Department", org.departments["sales"])],
                    "tags": ["hot", "cold"],
                }
            },
        )
    )["createTagGroup"]["tagGroup"]
    open_group = (await admin.ok(GROUP, {"input": {"name": "Common", "tags": ["met"]}}))[
        "createTagGroup"
    ]["tagGroup"]
    hot = sales_only["tags"][0]["id"]
    met = open_group["tags"][0]["id"]
    stan_customer = await create(gql, org, "staff", "Stan's")  # Stan: Sales East (below Sales)
    otto_customer = await create(gql, org, "outsider", "Otto's")  # Otto: Service
    data = await gql.as_(org.token("staff")).ok(
        TAG, {"input": {"customerIds": [stan_customer["id"]], "tagIds": [hot, met]}}
    )
    assert {t["name"] for t in data["tagCustomers"]["customers"][0]["tags"]} == {"hot", "met"}
    error = await gql.as_(org.token("outsider")).error(
        TAG, {"input": {"customerIds": [otto_customer["id"]], "tagIds": [hot]}}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    otto_tags = await CustomerTag.filter(tenant_id=org.tenant.id).count()
    assert otto_tags == 2  # nothing was written for Otto
    await gql.as_(org.token("outsider")).ok(
        TAG, {"input": {"customerIds": [otto_customer["id"]], "tagIds": [met]}}
    )
    # Chat-group tags are not customer tags.
    group_tags = await admin.ok(
        GROUP, {"input": {"name": "Groups", "target": "group", "tags": ["active"]}}
    )
    active = group_tags["createTagGroup"]["tagGroup"]["tags"][0]["id"]
    error = await admin.error(
        TAG, {"input": {"customerIds": [stan_customer["id"]], "tagIds": [active]}}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_bulk_tag_and_untag_with_timeline(gql: GQL) -> None:
    org = await org_with_fields(gql)
    admin = gql.as_(org.token("admin"))
    group = (await admin.ok(GROUP, {"input": {"name": "G", "tags": ["x", "y"]}}))["createTagGroup"][
        "tagGroup"
    ]
    ids = [(await create(gql, org, "admin", f"C{i}"))["id"] for i in range(5)]
    tag_ids = [t["id"] for t in group["tags"]]
    await admin.ok(TAG, {"input": {"customerIds": ids, "tagIds": tag_ids}})
    await admin.ok(TAG, {"input": {"customerIds": ids, "tagIds": tag_ids}})  # idempotent
    assert await CustomerTag.filter(tenant_id=org.tenant.id).count() == 10
    data = await admin.ok(UNTAG, {"input": {"customerIds": ids[:2], "tagIds": tag_ids[:1]}})
    assert all(c["tags"] == [{"name": "y"}] for c in data["untagCustomers"]["customers"])
    first = await Customer.get(tenant_id=org.tenant.id, name="C0")
    kinds = await TimelineEvent.filter(customer_id=first.id).values_list("kind", flat=True)
    assert sorted(kinds) == ["created", "tagged", "untagged"]
    # A customer outside the caller's scope fails the whole call; nothing is tagged.
    otto = await create(gql, org, "outsider", "Otto's")
    error = await gql.as_(org.token("staff")).error(
        TAG, {"input": {"customerIds": [otto["id"]], "tagIds": tag_ids}}
    )
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_lifecycle_stages(gql: GQL) -> None:
    org = await org_with_fields(gql)
    admin = gql.as_(org.token("admin"))
    saved = await admin.ok(
        """mutation($doc: JSON!) { saveLifecycleTemplate(input: {name: "Retail", document: $doc,
           isDefault: true}) { template { id stages { key label order } } } }""",
        {
            "doc": {
                "stages": [
                    {"key": "new", "label": "New", "order": 0},
                    {"key": "trial", "label": "Trial", "order": 1},
                    {"key": "paid", "label": "Paid", "order": 2},
                ]
            }
        },
    )
    assert [s["key"] for s in saved["saveLifecycleTemplate"]["template"]["stages"]] == [
        "new",
        "trial",
        "paid",
    ]
    customer = await create(gql, org, "staff", "Stager")
    move = """mutation($id: ID!, $k: String!) { moveCustomerStage(input: {customerId: $id,
        stageKey: $k}) { customer { stageKey stage { label order } } } }"""
    data = await gql.as_(org.token("staff")).ok(move, {"id": customer["id"], "k": "trial"})
    assert data["moveCustomerStage"]["customer"]["stage"] == {"label": "Trial", "order": 1}
    error = await gql.as_(org.token("staff")).error(move, {"id": customer["id"], "k": "nope"})
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    bad = await admin.error(
        """mutation($doc: JSON!) { saveLifecycleTemplate(input: {name: "Bad", document: $doc})
           { template { id } } }""",
        {"doc": {"stages": [{"key": "Bad Key", "label": ""}]}},
    )
    assert bad["extensions"]["code"] == "VALIDATION_FAILED"
    assert all(
        e["path"][:3] == ["input", "document", "stages"] for e in bad["extensions"]["fieldErrors"]
    )
    rows = await TimelineEvent.filter(kind="stage_moved").values_list("data", flat=True)
    assert {"from": None, "to": "trial"}.items() <= rows[-1].items()


async def test_merge_moves_everything_and_records_it(gql: GQL) -> None:
    org = await org_with_fields(gql)
    admin = gql.as_(org.token("admin"))
    group = (await admin.ok(GROUP, {"input": {"name": "M", "tags": ["t1", "t2"]}}))[
        "createTagGroup"
    ]["tagGroup"]
    survivor = await create(gql, org, "staff", "Zhang", phone="13600000001", level="A")
    merged = await create(
        gql, org, "staff2", "Zhang (dup)", email="z@x.test", level="B", budget=100
    )
    t1, t2 = (t["id"] for t in group["tags"])
    await admin.ok(TAG, {"input": {"customerIds": [survivor["id"]], "tagIds": [t1]}})
    await admin.ok(TAG, {"input": {"customerIds": [merged["id"]], "tagIds": [t1, t2]}})
    await gql.as_(org.token("staff2")).ok(
        """mutation($id: ID!) { addFollowUp(input: {customerId: $id, kind: "call",
           content: "asked for price"}) { customer { id } } }""",
        {"id": merged["id"]},
    )
    data = await admin.ok(
        """mutation($s: ID!, $m: ID!) { mergeCustomers(input: {survivorId: $s, mergedId: $m,
           fieldPolicy: SURVIVOR}) { moved customer { fields tags { name }
           followers { name } } } }""",
        {"s": survivor["id"], "m": merged["id"]},
    )
    result = data["mergeCustomers"]
    assert result["customer"]["fields"] == {
        "phone": "13600000001",
        "email": "z@x.test",
        "level": "A",
        "budget": 100,
    }
    assert {t["name"] for t in result["customer"]["tags"]} == {"t1", "t2"}
    assert {f["name"] for f in result["customer"]["followers"]} == {"Stan Staff", "Stella Staff"}
    sid, mid = pk(survivor["id"]), pk(merged["id"])
    assert await FollowUp.filter(customer_id=sid).count() == 1
    assert not await CustomerTag.filter(customer_id=mid).exists()
    assert not await CustomerFollower.filter(customer_id=mid).exists()
    assert await UniqueValue.filter(record_id=sid, field_key="email").exists()
    kinds = set(await TimelineEvent.filter(customer_id=sid).values_list("kind", flat=True))
    assert {"merged", "follow_up", "tagged", "created"} <= kinds
    assert await TimelineEvent.filter(customer_id=mid, kind="merged_into").exists()
    # The merged record is gone from every list and lookup.
    error = await admin.error(
        "query($id: ID!) { customer(id: $id) { name } }", {"id": merged["id"]}
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await Customer.get(id=mid)).merged_into_id == sid
