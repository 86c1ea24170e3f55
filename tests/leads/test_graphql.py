"""The leads GraphQL surface: pools (CRUD, members, rules), the leads connection with
filters on custom fields, operations with coded errors, permissions and data scope, and
bounded query counts."""

from __future__ import annotations

import asyncio
from typing import Any

from api.leads.models import Lead, Pool, PoolDepartment
from tests.conftest import GQL, Org, make_org
from tests.customers.helpers import pk

LEAD_FIELDS: dict[str, Any] = {
    "fields": [
        {"key": "mobile", "label": "Mobile", "type": "phone", "unique": True},
        {
            "key": "level",
            "label": "Level",
            "type": "single_select",
            "rules": {"options": [{"value": v, "label": v} for v in ("A", "B", "C")]},
        },
        {"key": "budget", "label": "Budget", "type": "number", "rules": {"min": 0}},
    ],
    "sections": [],
}
SAVE = """mutation($doc: JSON!) { saveFieldDefinitionDraft(input: {kind: LEAD_FIELDS,
  document: $doc}) { draft { updatedAt } } }"""
PUBLISH = """mutation { publishFieldDefinition(input: {kind: LEAD_FIELDS}) {
  schema { version } } }"""
CREATE_POOL = """mutation($input: CreatePoolInput!) { createPool(input: $input) {
  pool { id name strategy holdingCap claimsPerDay recycle departments { name } } } }"""
UPDATE_POOL = """mutation($input: UpdatePoolInput!) { updatePool(input: $input) {
  pool { id name holdingCap recycle } } }"""
CREATE_LEAD = """mutation($input: CreateLeadInput!) { createLead(input: $input) {
  lead { id name status fields owner { name } pool { name } } } }"""
CLAIM = """mutation($id: ID!) { claimLead(input: {id: $id}) { lead { id owner { name }
  assignment { how rule } } } }"""
LEADS = """query($where: LeadWhere, $first: Int) { leads(where: $where, first: $first) {
  totalCount edges { node { id name status fields owner { name } pool { name waitingCount }
  assignment { how staff { name } } assignments { how } } } } }"""


async def _org_with_lead_fields(gql: GQL) -> Org:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    await admin.ok(SAVE, {"doc": LEAD_FIELDS})
    await admin.ok(PUBLISH)
    return org


def _dept(org: Org, key: str) -> str:
    from api.relay import encode_id

    return encode_id("Department", org.departments[key])


async def _pool(gql: GQL, org: Org, **extra: Any) -> dict:
    data = await gql.as_(org.token("admin")).ok(
        CREATE_POOL,
        {
            "input": {
                "name": f"Pool {extra.pop('suffix', '')}",
                "departmentIds": [_dept(org, "sales")],
                **extra,
            }
        },
    )
    return data["createPool"]["pool"]


async def test_pool_crud_with_rules_and_members(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    other = await _pool(gql, org, suffix="B")
    policy = {
        "validFollowUp": {"kinds": ["call", "visit"], "minLength": 5},
        "warnHours": 12,
        "tierField": "level",
        "rules": [
            {"type": "SINGLE", "days": 3, "tiers": ["A"], "targetPoolId": other["id"]},
            {"type": "PERIODIC", "days": 7},
            {
                "type": "STAGED",
                "tiers": ["B"],
                "stages": [
                    {
                        "fromDay": 0,
                        "toDay": 10,
                        "action": {"type": "FOLLOW_UP", "kinds": ["visit"]},
                    },
                    {
                        "fromDay": 10,
                        "toDay": 20,
                        "action": {"type": "STAGE_REACHED", "stage": "deal"},
                    },
                ],
            },
        ],
    }
    pool = await _pool(
        gql, org, suffix="A", holdingCap=20, claimsPerDay=5, strategy="ROUND_ROBIN", recycle=policy
    )
    assert pool["strategy"] == "ROUND_ROBIN" and pool["holdingCap"] == 20
    assert pool["departments"] == [{"name": "Sales"}]
    stored = pool["recycle"]
    assert stored["rules"][0] == {
        "type": "single",
        "days": 3,
        "tiers": ["A"],
        "targetPoolId": pk(other["id"]),
    }
    assert stored["rules"][2]["stages"][1]["action"] == {"type": "stage_reached", "stage": "deal"}

    from api.relay import encode_id

    data = await admin.ok(
        """mutation($input: SetPoolMemberInput!) { setPoolMember(input: $input) {
          pool { members { weight holdingCap online staff { name } } } } }""",
        {
            "input": {
                "poolId": pool["id"],
                "staffId": encode_id("Staff", org.people["staff"].id),
                "weight": 3,
                "holdingCap": 40,
                "online": [{"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}],
            }
        },
    )
    [member] = data["setPoolMember"]["pool"]["members"]
    assert (member["weight"], member["holdingCap"], member["staff"]["name"]) == (
        3,
        40,
        "Stan Staff",
    )
    # staff outside the pool's departments cannot be members
    error = await admin.error(
        """mutation($input: SetPoolMemberInput!) { setPoolMember(input: $input) {
          pool { id } } }""",
        {
            "input": {
                "poolId": pool["id"],
                "staffId": encode_id("Staff", org.people["outsider"].id),
            }
        },
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["fieldErrors"][0]["path"] == ["input", "staffId"]

    data = await admin.ok(
        UPDATE_POOL, {"input": {"id": pool["id"], "name": "Renamed", "holdingCap": None}}
    )
    assert data["updatePool"]["pool"]["name"] == "Renamed"
    assert data["updatePool"]["pool"]["holdingCap"] is None
    assert data["updatePool"]["pool"]["recycle"] == stored  # untouched when omitted

    await admin.ok(
        "mutation($id: ID!) { archivePool(input: {id: $id}) { pool { archived } } }",
        {"id": pool["id"]},
    )
    listed = await admin.ok("{ pools { name } }")
    assert [p["name"] for p in listed["pools"]] == ["Pool B"]


async def test_bad_pool_input_names_every_path_and_writes_nothing(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    before = await Pool.filter(tenant_id=org.tenant.id).count()
    error = await admin.error(
        CREATE_POOL,
        {
            "input": {
                "name": "",
                "departmentIds": [],
                "holdingCap": -1,
                "recycle": {
                    "rules": [
                        {"type": "SINGLE"},
                        {
                            "type": "STAGED",
                            "stages": [{"fromDay": 5, "toDay": 2, "action": {"type": "FOLLOW_UP"}}],
                        },
                    ]
                },
            }
        },
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    paths = {tuple(e["path"]) for e in error["extensions"]["fieldErrors"]}
    assert ("input", "name") in paths
    assert ("input", "departmentIds") in paths
    assert ("input", "holdingCap") in paths
    assert ("input", "recycle", "rules", 0) in paths  # single needs days
    assert await Pool.filter(tenant_id=org.tenant.id).count() == before
    # the stage order check once the schema holds
    error = await admin.error(
        CREATE_POOL,
        {
            "input": {
                "name": "Staged",
                "departmentIds": [_dept(org, "sales")],
                "recycle": {
                    "rules": [
                        {
                            "type": "STAGED",
                            "stages": [{"fromDay": 5, "toDay": 2, "action": {"type": "FOLLOW_UP"}}],
                        }
                    ]
                },
            }
        },
    )
    assert error["extensions"]["fieldErrors"][0]["path"] == [
        "input",
        "recycle",
        "rules",
        0,
        "stages",
        0,
        "toDay",
    ]
    assert await Pool.filter(tenant_id=org.tenant.id).count() == before


async def test_only_admins_manage_pools_and_staff_see_only_their_pools(gql: GQL) -> None:
    org = await make_org()
    await _pool(gql, org, suffix="Sales")
    error = await gql.as_(org.token("manager")).error(
        CREATE_POOL, {"input": {"name": "Mine", "departmentIds": [_dept(org, "sales")]}}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    for who, expected in (
        ("staff", ["Pool Sales"]),  # Sales East is below Sales
        ("manager", ["Pool Sales"]),
        ("outsider", []),  # Service
        ("admin", ["Pool Sales"]),
    ):
        data = await gql.as_(org.token(who)).ok("{ pools { name } }")
        assert [p["name"] for p in data["pools"]] == expected, who


async def test_leads_with_custom_fields_claims_and_filters(gql: GQL) -> None:
    org = await _org_with_lead_fields(gql)
    pool = await _pool(gql, org, suffix="F")
    admin = gql.as_(org.token("admin"))
    ids = []
    for i, level in enumerate(["A", "B", "A"]):
        data = await admin.ok(
            CREATE_LEAD,
            {
                "input": {
                    "name": f"L{i}",
                    "source": "web" if i else "expo",
                    "poolId": pool["id"],
                    "fields": {"mobile": f"1380013800{i}", "level": level, "budget": 100 * i},
                }
            },
        )
        lead = data["createLead"]["lead"]
        assert lead["owner"] is None and lead["pool"]["name"] == "Pool F"
        ids.append(lead["id"])
    # a duplicate mobile is a CONFLICT naming the field, with the existing lead
    error = await admin.error(
        CREATE_LEAD,
        {"input": {"name": "Dup", "poolId": pool["id"], "fields": {"mobile": "13800138000"}}},
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["existingId"] == ids[0]
    # invalid values: every error at once, nothing written
    before = await Lead.filter(tenant_id=org.tenant.id).count()
    error = await admin.error(
        CREATE_LEAD,
        {"input": {"name": "", "poolId": pool["id"], "fields": {"level": "Z", "budget": -1}}},
    )
    paths = {tuple(e["path"]) for e in error["extensions"]["fieldErrors"]}
    assert {("input", "name"), ("input", "fields", "level"), ("input", "fields", "budget")} <= paths
    assert await Lead.filter(tenant_id=org.tenant.id).count() == before

    stan = gql.as_(org.token("staff"))
    data = await stan.ok(
        LEADS, {"where": {"waiting": True, "fields": [{"key": "level", "eq": "A"}]}}
    )
    assert data["leads"]["totalCount"] == 2
    data = await stan.ok(CLAIM, {"id": ids[0]})
    assert data["claimLead"]["lead"]["owner"]["name"] == "Stan Staff"
    assert data["claimLead"]["lead"]["assignment"]["how"] == "claim"
    error = await gql.as_(org.token("staff2")).error(CLAIM, {"id": ids[0]})
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["reason"] == "taken"
    data = await stan.ok(
        LEADS,
        {"where": {"ownerIds": [data["claimLead"]["lead"]["owner"] and _staff_gid(org, "staff")]}},
    )
    assert [e["node"]["name"] for e in data["leads"]["edges"]] == ["L0"]
    data = await stan.ok(
        LEADS, {"where": {"source": {"eq": "web"}, "fields": [{"key": "budget", "gte": 150}]}}
    )
    assert [e["node"]["name"] for e in data["leads"]["edges"]] == ["L2"]
    # Service staff see none of it, and cannot claim
    otto = gql.as_(org.token("outsider"))
    assert (await otto.ok(LEADS))["leads"]["totalCount"] == 0
    error = await otto.error(CLAIM, {"id": ids[1]})
    assert error["extensions"]["code"] == "NOT_FOUND"


def _staff_gid(org: Org, who: str) -> str:
    from api.relay import encode_id

    return encode_id("Staff", org.people[who].id)


async def test_release_assign_transfer_and_mark_through_graphql(gql: GQL) -> None:
    org = await make_org()
    pool = await _pool(gql, org, suffix="Ops", holdingCap=1)
    other = await _pool(gql, org, suffix="Other")
    admin = gql.as_(org.token("admin"))
    ids = [
        (await admin.ok(CREATE_LEAD, {"input": {"name": f"O{i}", "poolId": pool["id"]}}))[
            "createLead"
        ]["lead"]["id"]
        for i in range(3)
    ]
    manager = gql.as_(org.token("manager"))
    assign = """mutation($input: AssignLeadsInput!) { assignLeads(input: $input) {
      leads { id owner { name } } } }"""
    data = await manager.ok(
        assign, {"input": {"leadIds": ids[:1], "staffId": _staff_gid(org, "staff")}}
    )
    assert data["assignLeads"]["leads"][0]["owner"]["name"] == "Stan Staff"
    # the cap of 1 holds for managers too; all or none
    error = await manager.error(
        assign, {"input": {"leadIds": ids[1:], "staffId": _staff_gid(org, "staff")}}
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["reason"] == "holdingCap"
    assert error["path"] == ["assignLeads"]
    assert await Lead.filter(id__in=[pk(i) for i in ids[1:]], owner_id=None).count() == 2
    # staff cannot assign
    error = await gql.as_(org.token("staff")).error(
        assign, {"input": {"leadIds": ids[1:2], "staffId": _staff_gid(org, "staff")}}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    # release needs a reason
    release = """mutation($input: ReleaseLeadInput!) { releaseLead(input: $input) {
      lead { owner { name } } } }"""
    error = await gql.as_(org.token("staff")).error(
        release, {"input": {"id": ids[0], "reason": ""}}
    )
    assert error["extensions"]["fieldErrors"][0]["path"] == ["input", "reason"]
    data = await gql.as_(org.token("staff")).ok(
        release, {"input": {"id": ids[0], "reason": "wrong number"}}
    )
    assert data["releaseLead"]["lead"]["owner"] is None
    data = await manager.ok(
        """mutation($input: TransferLeadsInput!) { transferLeads(input: $input) {
          leads { pool { name } } } }""",
        {"input": {"leadIds": ids[:2], "poolId": other["id"], "reason": "east coast"}},
    )
    assert [lead["pool"]["name"] for lead in data["transferLeads"]["leads"]] == ["Pool Other"] * 2
    data = await manager.ok(
        """mutation($input: MarkLeadInput!) { markLead(input: $input) { lead { status } } }""",
        {"input": {"id": ids[2], "status": "INVALID", "reason": "spam"}},
    )
    assert data["markLead"]["lead"]["status"] == "INVALID"
    error = await gql.as_(org.token("staff")).error(CLAIM, {"id": ids[2]})
    assert error["extensions"]["code"] == "CONFLICT"


async def test_auto_assign_batch_round_robin_through_graphql(gql: GQL) -> None:
    org = await make_org()
    pool = await _pool(gql, org, suffix="Auto")
    admin = gql.as_(org.token("admin"))
    for i in range(6):
        await admin.ok(CREATE_LEAD, {"input": {"name": f"A{i}", "poolId": pool["id"]}})
    error = await admin.error(
        """mutation($id: ID!) { autoAssignLeads(input: {poolId: $id}) { leads { id } } }""",
        {"id": pool["id"]},
    )
    assert error["extensions"]["fieldErrors"][0]["path"] == ["input", "strategy"]
    data = await admin.ok(
        """mutation($id: ID!) { autoAssignLeads(input: {poolId: $id, strategy: ROUND_ROBIN,
          limit: 6}) { leads { owner { name } } } }""",
        {"id": pool["id"]},
    )
    owners = [lead["owner"]["name"] for lead in data["autoAssignLeads"]["leads"]]
    # Sales staff: the manager, Stan (Sales East) and Stella
    assert sorted(set(owners)) == ["Mona Manager", "Stan Staff", "Stella Staff"]
    assert all(owners.count(name) == 2 for name in set(owners))


async def test_leads_page_query_count_does_not_grow(gql: GQL, count_queries: Any) -> None:
    org = await _org_with_lead_fields(gql)
    pool = await _pool(gql, org, suffix="N")
    admin = gql.as_(org.token("admin"))
    from api.leads.service import holding, records
    from tests.leads.helpers import actor

    admin_actor = await actor(org, "admin")
    made = [
        await records.create_lead(
            admin_actor, records.LeadChanges(name=f"N{i}", pool_id=pool["id"] and pk(pool["id"]))
        )
        for i in range(30)
    ]
    await holding.assign(admin_actor, [lead.id for lead in made[::2]], org.people["staff"].id)

    counts = []
    for first in (5, 30):
        with count_queries() as counter:
            data = await admin.ok(LEADS, {"first": first})
        assert len(data["leads"]["edges"]) == first
        counts.append(len(counter.statements))
    assert counts[0] == counts[1], counts


async def test_concurrent_claims_through_graphql_one_wins(gql: GQL) -> None:
    org = await make_org()
    pool = await _pool(gql, org, suffix="Race")
    admin = gql.as_(org.token("admin"))
    lead = (await admin.ok(CREATE_LEAD, {"input": {"name": "Hot", "poolId": pool["id"]}}))[
        "createLead"
    ]["lead"]
    results = await asyncio.gather(
        *(
            gql.as_(org.token(who))(CLAIM, {"id": lead["id"]})
            for who in ("staff", "staff2", "manager")
        )
    )
    codes = sorted(
        r["errors"][0]["extensions"]["code"] if r.get("errors") else "OK" for r in results
    )
    assert codes == ["CONFLICT", "CONFLICT", "OK"]
    assert await PoolDepartment.filter(pool_id=pk(pool["id"])).count() == 1


async def test_demo_tenant_has_a_pool_with_waiting_leads(gql: GQL, demo_admin: dict) -> None:
    from api.org.service.tenants import DEMO_LOGINS

    manager = DEMO_LOGINS[1]
    data = await gql.ok(
        """mutation($input: LoginInput!) { login(input: $input) { accessToken } }""",
        {
            "input": {
                "tenant": demo_admin["tenant"],
                "email": manager.email,
                "password": manager.password,
            }
        },
    )
    token = data["login"]["accessToken"]
    data = await gql.as_(token).ok("{ pools { name holdingCap waitingCount recycle } }")
    [pool] = data["pools"]
    assert pool["name"] == "Sales pool" and pool["waitingCount"] == 3
    assert pool["recycle"]["rules"][0] == {"type": "single", "days": 7}


async def test_created_at_bounds_in_any_time_zone(gql: GQL) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    org = await make_org()
    admin = gql.as_(org.token("admin"))
    await admin.ok(CREATE_LEAD, {"input": {"name": "Now"}})
    shanghai = timezone(timedelta(hours=8))
    now = datetime.now(UTC)
    for zone in (UTC, shanghai):
        window = {
            "gte": (now - timedelta(minutes=5)).astimezone(zone).isoformat(),
            "lt": (now + timedelta(minutes=5)).astimezone(zone).isoformat(),
        }
        data = await admin.ok(LEADS, {"where": {"createdAt": window}})
        assert data["leads"]["totalCount"] == 1, zone
        later = {"gte": (now + timedelta(minutes=5)).astimezone(zone).isoformat()}
        data = await admin.ok(LEADS, {"where": {"createdAt": later}})
        assert data["leads"]["totalCount"] == 0, zone
