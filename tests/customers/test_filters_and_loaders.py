"""`customers(where, orderBy)` over built-in and custom fields in SQL, and a query count
that does not grow with the page size."""

from __future__ import annotations

from api.customers.models import Customer
from api.relay import encode_id
from tests.conftest import GQL
from tests.customers.helpers import create, org_with_fields, pk

LIST = """query($where: CustomerWhere, $order: [CustomerOrder!], $first: Int, $after: String) {
  customers(where: $where, orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""


async def _names(gql: GQL, org, where=None, order=None, first=50) -> list[str]:
    data = await gql.as_(org.token("admin")).ok(
        LIST, {"where": where, "order": order, "first": first}
    )
    return [e["node"]["name"] for e in data["customers"]["edges"]]


async def test_filters_on_custom_and_builtin_fields(gql: GQL) -> None:
    org = await org_with_fields(gql)
    await create(
        gql,
        org,
        "admin",
        "Ann",
        level="A",
        budget=500,
        interests=["golf"],
        birthday="1990-05-01",
        vip=True,
        note="likes green tea",
    )
    await create(
        gql,
        org,
        "admin",
        "Bob",
        level="B",
        budget=50,
        interests=["tea", "golf"],
        birthday="1985-01-20",
        vip=False,
    )
    await create(gql, org, "admin", "Cai", level="A", budget=5000)
    await create(gql, org, "admin", "Dan")
    by = lambda **c: {"fields": [c]}  # noqa: E731

    assert sorted(await _names(gql, org, by(key="level", eq="A"))) == ["Ann", "Cai"]
    assert sorted(await _names(gql, org, by(key="level", ne="A"))) == ["Bob", "Dan"]
    assert sorted(await _names(gql, org, by(key="level", **{"in": ["B", "C"]}))) == ["Bob"]
    assert sorted(await _names(gql, org, by(key="budget", gte=500))) == ["Ann", "Cai"]
    assert sorted(await _names(gql, org, by(key="budget", lt=500))) == ["Bob"]
    assert sorted(await _names(gql, org, by(key="interests", contains="tea"))) == ["Bob"]
    assert sorted(await _names(gql, org, by(key="note", contains="GREEN"))) == ["Ann"]
    assert sorted(await _names(gql, org, by(key="birthday", lt="1989-12-31"))) == ["Bob"]
    assert sorted(await _names(gql, org, by(key="vip", eq=True))) == ["Ann"]
    assert sorted(await _names(gql, org, by(key="budget", isNull=True))) == ["Dan"]
    either = {"or": [by(key="level", eq="B"), {"name": {"eq": "Dan"}}]}
    assert sorted(await _names(gql, org, either)) == ["Bob", "Dan"]
    both = {"and": [by(key="level", eq="A"), by(key="budget", gt=1000)]}
    assert await _names(gql, org, both) == ["Cai"]
    assert sorted(await _names(gql, org, {"not": by(key="level", eq="A")})) == ["Bob", "Dan"]
    mine = {"ownerIds": [encode_id("Staff", org.people["admin"].id)], "name": {"contains": "a"}}
    assert sorted(await _names(gql, org, mine)) == ["Ann", "Cai", "Dan"]


async def test_order_by_custom_field_pages_through_everything(gql: GQL) -> None:
    org = await org_with_fields(gql)
    for i, budget in enumerate([30, 10, None, 20, 10, 40]):
        await create(gql, org, "admin", f"P{i}", **({"budget": budget} if budget else {}))
    order = [{"field": "budget", "desc": True}]
    assert await _names(gql, org, order=order) == ["P5", "P0", "P3", "P1", "P4", "P2"]
    seen, after = [], None
    client = gql.as_(org.token("admin"))
    while True:
        page = (
            await client.ok(LIST, {"order": [{"field": "budget"}], "first": 2, "after": after})
        )["customers"]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["P2", "P1", "P4", "P3", "P0", "P5"]


async def test_unknown_custom_field_in_filter_is_a_validation_error(gql: GQL) -> None:
    org = await org_with_fields(gql)
    error = await gql.as_(org.token("admin")).error(
        LIST, {"where": {"fields": [{"key": "nope", "eq": 1}]}}
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["fieldErrors"][0]["path"] == ["where", "fields", 0, "key"]
    error = await gql.as_(org.token("admin")).error(
        LIST, {"where": {"fields": [{"key": "budget", "eq": 1, "gt": 0}]}}
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"


PAGE = """query($first: Int) { customers(first: $first) { edges { node {
  name fields owner { name department { name } } followers { name } tags { name group { name } }
  stage { key label } } } } }"""


async def test_query_count_does_not_grow_with_page_size(gql: GQL, count_queries) -> None:
    org = await org_with_fields(gql)
    admin = gql.as_(org.token("admin"))
    group = (
        await admin.ok(
            """mutation { createTagGroup(input: {name: "Q", tags: ["a", "b", "c"]}) {
           tagGroup { tags { id } } } }"""
        )
    )["createTagGroup"]["tagGroup"]
    await admin.ok(
        """mutation($doc: JSON!) { saveLifecycleTemplate(input: {name: "L", document: $doc,
           isDefault: true}) { template { id } } }""",
        {"doc": {"stages": [{"key": "new", "label": "New", "order": 0}]}},
    )
    ids = []
    for i in range(210):
        ids.append(
            (await create(gql, org, "staff" if i % 2 else "staff2", f"N{i:03}", level="A"))["id"]
        )
    await admin.ok(
        """mutation($c: [ID!]!, $t: [ID!]!) { tagCustomers(input: {customerIds: $c,
        tagIds: $t}) { customers { name } } }""",
        {"c": ids, "t": [t["id"] for t in group["tags"]]},
    )
    await admin.ok(
        """mutation($id: ID!) { moveCustomerStage(input: {customerId: $id,
        stageKey: "new"}) { customer { name } } }""",
        {"id": ids[0]},
    )
    template_id = (await Customer.get(id=pk(ids[0]))).stage_template_id
    await Customer.filter(tenant_id=org.tenant.id).update(
        stage_template_id=template_id, stage_key="new"
    )
    counts = {}
    for first in (10, 200):
        with count_queries() as counter:
            data = await admin.ok(PAGE, {"first": first})
        assert len(data["customers"]["edges"]) == first
        nodes = [e["node"] for e in data["customers"]["edges"]]
        assert all(len(n["tags"]) == 3 and n["stage"]["label"] == "New" for n in nodes)
        assert {n["owner"]["name"] for n in nodes} == {"Stan Staff", "Stella Staff"}
        counts[first] = len(counter.statements)
    assert counts[10] == counts[200], counts
    assert counts[200] <= 13, counts
