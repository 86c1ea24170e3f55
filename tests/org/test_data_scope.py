"""Data scope: staff see themselves, managers their department subtree, admins and
inspectors the tenant; nobody sees another tenant."""

from __future__ import annotations

import pytest

from tests.conftest import GQL, Org

STAFF = "{ staff(first: 200) { totalCount edges { node { name } } } }"
DEPARTMENTS = "{ departments { name depth parent { name } } }"


def names(data: dict) -> set[str]:
    return {e["node"]["name"] for e in data["staff"]["edges"]}


EVERYONE = {
    "Alice Admin",
    "Mona Manager",
    "Stan Staff",
    "Stella Staff",
    "Otto Service",
    "Ina Inspector",
    "Aga Agent",
}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", EVERYONE),
        ("inspector", EVERYONE),
        ("manager", {"Mona Manager", "Stan Staff", "Stella Staff"}),
        ("staff", {"Stan Staff"}),
        ("agent", {"Aga Agent"}),
    ],
)
async def test_staff_list_follows_data_scope(
    gql: GQL, org_a: Org, org_b: Org, who: str, expected: set[str]
) -> None:
    data = await gql.as_(org_a.token(who)).ok(STAFF)
    assert names(data) == expected
    assert data["staff"]["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["HQ", "Sales", "Sales East", "Service"]),
        ("manager", ["Sales", "Sales East"]),
        ("staff", ["Sales East"]),
        ("outsider", ["Service"]),
    ],
)
async def test_department_list_follows_data_scope(
    gql: GQL, org_a: Org, who: str, expected: list[str]
) -> None:
    data = await gql.as_(org_a.token(who)).ok(DEPARTMENTS)
    assert sorted(d["name"] for d in data["departments"]) == sorted(expected)


async def test_department_tree_shape(gql: GQL, org_a: Org) -> None:
    data = await gql.as_(org_a.token("admin")).ok(DEPARTMENTS)
    by_name = {d["name"]: d for d in data["departments"]}
    assert by_name["HQ"] == {"name": "HQ", "depth": 0, "parent": None}
    assert by_name["Sales East"]["depth"] == 2
    assert by_name["Sales East"]["parent"] == {"name": "Sales"}


async def test_node_lookup_outside_scope_is_not_found(gql: GQL, org_a: Org) -> None:
    from api.relay import encode_id

    query = "query($id: ID!) { node(id: $id) { ... on Staff { name } } }"
    outsider = encode_id("Staff", org_a.people["outsider"].id)
    east_staff = encode_id("Staff", org_a.people["staff"].id)
    manager = gql.as_(org_a.token("manager"))
    assert (await manager.error(query, {"id": outsider}))["extensions"]["code"] == "NOT_FOUND"
    assert (await manager.ok(query, {"id": east_staff}))["node"] == {"name": "Stan Staff"}


async def test_staff_filters_and_pagination(gql: GQL, org_a: Org) -> None:
    admin = gql.as_(org_a.token("admin"))
    query = """query($after: String, $where: StaffWhere) {
      staff(first: 3, after: $after, where: $where) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await admin.ok(query, {"after": after}))["staff"]
        seen += [e["node"]["name"] for e in page["edges"]]
        assert page["totalCount"] == len(EVERYONE)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(EVERYONE)
    found = await admin.ok(query, {"where": {"search": "STAFF"}})
    assert {e["node"]["name"] for e in found["staff"]["edges"]} == {"Stan Staff", "Stella Staff"}


async def test_page_size_is_capped(gql: GQL, org_a: Org) -> None:
    error = await gql.as_(org_a.token("admin")).error("{ staff(first: 201) { totalCount } }")
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["fieldErrors"][0]["path"] == ["first"]


async def test_bad_cursor_is_a_validation_error(gql: GQL, org_a: Org) -> None:
    error = await gql.as_(org_a.token("admin")).error('{ staff(after: "garbage") { totalCount } }')
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
