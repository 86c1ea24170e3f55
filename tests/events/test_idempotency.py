"""Idempotency keys: a repeat within 24 h returns the first result and writes nothing, a
repeat with another input (or by another caller) is CONFLICT, concurrent repeats run once,
and every mutation but `login` takes a key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from api.events.models import Event, IdempotencyKey
from api.org.models import Department, Staff
from tests.conftest import GQL, Org, make_org

CREATE_DEPT = """mutation($n: String!, $k: String) {
  createDepartment(input: {name: $n, idempotencyKey: $k}) { department { id name createdAt } } }"""


async def _counts(org: Org) -> tuple[int, int, int]:
    tenant = org.tenant.id
    return (
        await Department.filter(tenant_id=tenant).count(),
        await Event.filter(tenant_id=tenant).count(),
        await IdempotencyKey.filter(tenant_id=tenant).count(),
    )


async def test_repeat_returns_the_first_result_and_writes_nothing(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    first = await admin.ok(CREATE_DEPT, {"n": "Once", "k": "key-1"})
    after_first = await _counts(org)
    again = await admin.ok(CREATE_DEPT, {"n": "Once", "k": "key-1"})
    assert again == first
    assert await _counts(org) == after_first

    # The same mutation without a key, or with another key, runs again (and here conflicts).
    error = await admin.error(CREATE_DEPT, {"n": "Once", "k": "key-2"})
    assert error["extensions"]["code"] == "CONFLICT"
    assert await IdempotencyKey.filter(tenant_id=org.tenant.id, key="key-2").count() == 0


async def test_repeat_with_other_input_or_by_another_caller_is_a_conflict(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    await admin.ok(CREATE_DEPT, {"n": "First", "k": "key-x"})
    before = await _counts(org)
    error = await admin.error(CREATE_DEPT, {"n": "Second", "k": "key-x"})
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["path"] == ["input", "idempotencyKey"]
    key = (
        await admin.ok(
            'mutation { createApiKey(input: {name: "w", scopes: ["org:write"]}) { key } }'
        )
    )["createApiKey"]["key"]
    error = await gql.as_(key).error(CREATE_DEPT, {"n": "First", "k": "key-x"})
    assert error["extensions"]["code"] == "CONFLICT"
    assert (await _counts(org))[0] == before[0]


async def test_concurrent_repeats_run_once(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    results = await asyncio.gather(
        *(
            admin.ok(
                """mutation($k: String) { createStaff(input: {name: "Conc", email: "conc@x.test",
                   password: "long-enough-pw", roles: [STAFF], idempotencyKey: $k})
                   { staff { id } } }""",
                {"k": "same-key"},
            )
            for _ in range(5)
        )
    )
    assert len({r["createStaff"]["staff"]["id"] for r in results}) == 1
    assert await Staff.filter(tenant_id=org.tenant.id, email="conc@x.test").count() == 1
    assert await Event.filter(tenant_id=org.tenant.id, type="staff.created").count() == 7


async def test_a_failed_mutation_keeps_no_key_and_an_expired_key_runs_again(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    error = await admin.error(CREATE_DEPT, {"n": "", "k": "retry-me"})
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    await admin.ok(CREATE_DEPT, {"n": "Fixed", "k": "retry-me"})  # other input: not a conflict
    await IdempotencyKey.filter(tenant_id=org.tenant.id, key="retry-me").update(
        created_at=datetime.now(UTC) - timedelta(hours=25)
    )
    data = await admin.ok(CREATE_DEPT, {"n": "Other", "k": "retry-me"})
    assert data["createDepartment"]["department"]["name"] == "Other"


async def test_every_mutation_but_login_takes_an_idempotency_key(gql: GQL, org_a: Org) -> None:
    data = await gql.as_(org_a.token("admin")).ok(
        """{ __schema { mutationType { fields { name args { name type { ofType { name
             inputFields { name } } } } } } } }"""
    )
    missing = []
    for field in data["__schema"]["mutationType"]["fields"]:
        inputs = [a for a in field["args"] if a["name"] == "input"]
        names = {f["name"] for f in (inputs[0]["type"]["ofType"]["inputFields"] if inputs else [])}
        if field["name"] != "login" and "idempotencyKey" not in names:
            missing.append(field["name"])
    assert missing == []
