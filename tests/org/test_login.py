"""Sign-in: passwords, disabled staff, token expiry, throttling."""

from __future__ import annotations

import httpx

from api.auth import issue_access_token
from api.org.models import Staff
from tests.conftest import GQL, PASSWORD, Org, make_org

LOGIN = """mutation($t: String!, $e: String!, $p: String!) {
  login(input: {tenant: $t, email: $e, password: $p}) { accessToken expiresAt staff { name } }
}"""
ME = "{ me { name email tenant { name slug } department { name } } }"


async def test_login_with_right_password_gives_a_working_token(gql: GQL, org_a: Org) -> None:
    data = await gql.ok(LOGIN, {"t": "tenant-a", "e": "manager@x.test", "p": PASSWORD})
    assert data["login"]["staff"]["name"] == "Mona Manager"
    me = await gql.as_(data["login"]["accessToken"]).ok(ME)
    assert me["me"] == {
        "name": "Mona Manager",
        "email": "manager@x.test",
        "tenant": {"name": "Tenant tenant-a", "slug": "tenant-a"},
        "department": {"name": "Sales"},
    }


async def test_wrong_password_and_wrong_tenant_are_refused_alike(gql: GQL, org_a: Org) -> None:
    wrong_pw = await gql.error(
        LOGIN, {"t": "tenant-a", "e": "manager@x.test", "p": "nope-nope-nope"}
    )
    wrong_tenant = await gql.error(LOGIN, {"t": "tenant-b", "e": "staff@y.test", "p": PASSWORD})
    assert wrong_pw["extensions"]["code"] == "UNAUTHENTICATED"
    assert wrong_pw["message"] == wrong_tenant["message"]


async def test_disabled_staff_cannot_log_in_and_their_tokens_stop(gql: GQL) -> None:
    org = await make_org()
    token = org.token("staff")
    assert (await gql.as_(token).ok(ME))["me"]["name"] == "Stan Staff"
    gid = await _gid(gql, org, "staff")
    await gql.as_(org.token("admin")).ok(
        "mutation($id: ID!) { disableStaff(input: {id: $id}) { staff { active } } }", {"id": gid}
    )
    error = await gql.as_(token).error(ME)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await gql.error(LOGIN, {"t": org.tenant.slug, "e": "staff@x.test", "p": PASSWORD})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_expired_token_is_unauthenticated(gql: GQL, org_a: Org) -> None:
    staff = org_a.people["staff"]
    token, _ = issue_access_token(staff.tenant_id, staff.id, ttl_seconds=-5)
    error = await gql.as_(token).error(ME)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]


async def test_forged_token_is_unauthenticated(gql: GQL, org_a: Org) -> None:
    token = org_a.token("admin")
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    assert (await gql.as_(forged).error(ME))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_caller_is_unauthenticated(gql: GQL) -> None:
    assert (await gql.error(ME))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_password_is_argon2_hashed(org_a: Org) -> None:
    staff = await Staff.get(id=org_a.people["staff"].id)
    assert staff.password_hash.startswith("$argon2id$")
    assert PASSWORD not in staff.password_hash


async def test_repeated_failures_are_rate_limited_per_account(gql: GQL, app: object) -> None:
    org = await make_org()
    variables = {"t": org.tenant.slug, "e": "staff2@x.test", "p": "wrong-password!"}
    codes = [(await gql.error(LOGIN, variables))["extensions"]["code"] for _ in range(7)]
    assert codes[:5] == ["UNAUTHENTICATED"] * 5
    assert codes[5:] == ["RATE_LIMITED"] * 2
    # Even the right password is refused while the account is throttled...
    error = await gql.error(LOGIN, {**variables, "p": PASSWORD})
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfterSeconds"] > 0
    # ...from another address too, since the limit is per account.
    transport = httpx.ASGITransport(app=app, client=("192.0.2.77", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        error = await GQL(http).error(LOGIN, {**variables, "p": PASSWORD})
        assert error["extensions"]["code"] == "RATE_LIMITED"
    # Other accounts are not affected.
    await gql.ok(LOGIN, {**variables, "e": "staff@x.test", "p": PASSWORD})


async def test_repeated_failures_are_rate_limited_per_address(gql: GQL) -> None:
    org = await make_org()
    codes = []
    for i in range(22):
        variables = {"t": org.tenant.slug, "e": f"nobody{i}@x.test", "p": "wrong-password!"}
        codes.append((await gql.error(LOGIN, variables))["extensions"]["code"])
    assert codes[:20] == ["UNAUTHENTICATED"] * 20
    assert codes[20:] == ["RATE_LIMITED"] * 2


async def test_concurrent_guesses_cannot_exceed_the_limit(gql: GQL) -> None:
    import asyncio

    org = await make_org()
    variables = {"t": org.tenant.slug, "e": "outsider@x.test", "p": "wrong-password!"}
    results = await asyncio.gather(*(gql.error(LOGIN, variables) for _ in range(15)))
    codes = [r["extensions"]["code"] for r in results]
    assert codes.count("UNAUTHENTICATED") <= 5
    assert codes.count("RATE_LIMITED") >= 10


async def _gid(gql: GQL, org: Org, who: str) -> str:
    from api.relay import encode_id

    return encode_id("Staff", org.people[who].id)
