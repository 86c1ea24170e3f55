"""Administration of departments and staff: validation, conflicts, permissions."""

from __future__ import annotations

from api.org.models import Department, Staff
from api.relay import encode_id
from tests.conftest import GQL, Org, make_org

CREATE_STAFF = """mutation($input: CreateStaffInput!) {
  createStaff(input: $input) { staff { id name email roles department { name } active } } }"""
CREATE_DEPT = """mutation($input: CreateDepartmentInput!) {
  createDepartment(input: $input) { department { id name depth parent { name } } } }"""
UPDATE_DEPT = """mutation($input: UpdateDepartmentInput!) {
  updateDepartment(input: $input) { department { id name depth parent { name } } } }"""


async def test_admin_creates_staff_who_can_sign_in(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    data = await admin.ok(
        CREATE_STAFF,
        {
            "input": {
                "name": " Nora New ",
                "email": "Nora.New@X.test",
                "password": "long-enough-pw",
                "roles": ["STAFF"],
                "departmentId": encode_id("Department", org.departments["east"]),
            }
        },
    )
    staff = data["createStaff"]["staff"]
    assert staff["name"] == "Nora New"
    assert staff["email"] == "nora.new@x.test"
    assert staff["department"] == {"name": "Sales East"}
    login = await gql.ok(
        """mutation($t: String!) { login(input: {tenant: $t, email: "NORA.new@x.test",
           password: "long-enough-pw"}) { staff { name } } }""",
        {"t": org.tenant.slug},
    )
    assert login["login"]["staff"]["name"] == "Nora New"


async def test_invalid_staff_input_reports_every_field_and_writes_nothing(
    gql: GQL, org_a: Org
) -> None:
    before = await Staff.filter(tenant_id=org_a.tenant.id).count()
    error = await gql.as_(org_a.token("admin")).error(
        CREATE_STAFF,
        {
            "input": {
                "name": "",
                "email": "not-an-email",
                "password": "short",
                "roles": [],
                "phone": "call me",
            }
        },
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    errors = {tuple(e["path"]): e["rule"] for e in error["extensions"]["fieldErrors"]}
    assert errors == {
        ("input", "name"): "length",
        ("input", "email"): "format",
        ("input", "password"): "minLength",
        ("input", "roles"): "minItems",
        ("input", "phone"): "format",
    }
    assert await Staff.filter(tenant_id=org_a.tenant.id).count() == before


async def test_duplicate_email_is_a_conflict(gql: GQL, org_a: Org) -> None:
    error = await gql.as_(org_a.token("admin")).error(
        CREATE_STAFF,
        {
            "input": {
                "name": "Dup",
                "email": "STAFF@x.test",
                "password": "long-enough-pw",
                "roles": ["STAFF"],
            }
        },
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["path"] == ["input", "email"]


async def test_non_admins_cannot_administer(gql: GQL, org_a: Org) -> None:
    for who in ("manager", "staff", "inspector"):
        error = await gql.as_(org_a.token(who)).error(CREATE_DEPT, {"input": {"name": "Nope"}})
        assert error["extensions"]["code"] == "FORBIDDEN", who
    assert not await Department.filter(tenant_id=org_a.tenant.id, name="Nope").exists()


async def test_department_moves_with_its_subtree(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    north = await admin.ok(
        CREATE_DEPT,
        {
            "input": {
                "name": "Sales North",
                "parentId": encode_id("Department", org.departments["sales"]),
            }
        },
    )
    north_id = north["createDepartment"]["department"]["id"]
    sub = await admin.ok(CREATE_DEPT, {"input": {"name": "North Team", "parentId": north_id}})
    assert sub["createDepartment"]["department"]["depth"] == 3
    moved = await admin.ok(
        UPDATE_DEPT,
        {
            "input": {
                "id": north_id,
                "parentId": encode_id("Department", org.departments["service"]),
            }
        },
    )
    assert moved["updateDepartment"]["department"]["parent"] == {"name": "Service"}
    # The manager of Sales no longer sees the moved subtree; nor its members.
    names = {
        d["name"]
        for d in (await gql.as_(org.token("manager")).ok("{ departments { name } }"))["departments"]
    }
    assert names == {"Sales", "Sales East"}
    team = await Department.get(tenant_id=org.tenant.id, name="North Team")
    assert team.path.startswith(f"/{org.departments['hq']}/{org.departments['service']}/")


async def test_department_cannot_move_under_itself(gql: GQL, org_a: Org) -> None:
    admin = gql.as_(org_a.token("admin"))
    error = await admin.error(
        UPDATE_DEPT,
        {
            "input": {
                "id": encode_id("Department", org_a.departments["sales"]),
                "parentId": encode_id("Department", org_a.departments["east"]),
            }
        },
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["fieldErrors"][0]["path"] == ["input", "parentId"]
    sales = await Department.get(id=org_a.departments["sales"])
    assert sales.parent_id == org_a.departments["hq"]


async def test_sibling_department_names_are_unique(gql: GQL, org_a: Org) -> None:
    admin = gql.as_(org_a.token("admin"))
    error = await admin.error(
        CREATE_DEPT,
        {
            "input": {
                "name": "Sales East",
                "parentId": encode_id("Department", org_a.departments["sales"]),
            }
        },
    )
    assert error["extensions"]["code"] == "CONFLICT"
    error = await admin.error(CREATE_DEPT, {"input": {"name": "HQ"}})
    assert error["extensions"]["code"] == "CONFLICT"


async def test_admin_cannot_disable_themselves(gql: GQL, org_a: Org) -> None:
    error = await gql.as_(org_a.token("admin")).error(
        "mutation($id: ID!) { disableStaff(input: {id: $id}) { staff { active } } }",
        {"id": encode_id("Staff", org_a.people["admin"].id)},
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert (await Staff.get(id=org_a.people["admin"].id)).active


async def test_update_staff_changes_roles_and_department(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    data = await admin.ok(
        """mutation($input: UpdateStaffInput!) { updateStaff(input: $input) {
            staff { roles department { name } } } }""",
        {
            "input": {
                "id": encode_id("Staff", org.people["staff"].id),
                "roles": ["MANAGER"],
                "departmentId": encode_id("Department", org.departments["service"]),
            }
        },
    )
    assert data["updateStaff"]["staff"] == {"roles": ["MANAGER"], "department": {"name": "Service"}}
    # Now a manager of Service: sees Otto and Aga, not Sales.
    staff = await gql.as_(org.token("staff")).ok("{ staff { edges { node { name } } } }")
    assert {e["node"]["name"] for e in staff["staff"]["edges"]} == {
        "Stan Staff",
        "Otto Service",
        "Aga Agent",
    }


async def test_concurrent_creates_with_one_email_make_one_staff(gql: GQL) -> None:
    import asyncio

    org = await make_org()
    admin = gql.as_(org.token("admin"))
    variables = {
        "input": {
            "name": "Racer",
            "email": "racer@x.test",
            "password": "long-enough-pw",
            "roles": ["STAFF"],
        }
    }
    results = await asyncio.gather(*(admin(CREATE_STAFF, variables) for _ in range(20)))
    ok = [r for r in results if not r.get("errors")]
    codes = [r["errors"][0]["extensions"]["code"] for r in results if r.get("errors")]
    assert len(ok) == 1
    assert codes == ["CONFLICT"] * 19
    assert await Staff.filter(tenant_id=org.tenant.id, email="racer@x.test").count() == 1
