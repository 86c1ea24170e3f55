"""The `events` subscription and query: authenticated in connection_init, resumable
without loss or doubles, scoped by tenant, data scope and API key scopes, and fanned out
between API processes (PostgreSQL LISTEN/NOTIFY; polling on SQLite)."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

from api.events import catalogue
from tests.conftest import GQL, Org, is_postgres, make_org
from tests.events.conftest import Subscriber, free_port

CREATE_DEPT = "mutation($n: String!) { createDepartment(input: {name: $n}) { department { id } } }"
UPDATE_STAFF = (
    "mutation($id: ID!, $n: String!) { updateStaff(input: {id: $id, name: $n}) { staff { id } } }"
)


async def _departments(gql: GQL, org: Org, names: list[str]) -> None:
    admin = gql.as_(org.token("admin"))
    for name in names:
        await admin.ok(CREATE_DEPT, {"n": name})


async def test_connection_init_without_credentials_is_refused(live_server: str) -> None:
    try:
        await Subscriber.connect(live_server, None)
    except AssertionError:
        return
    except Exception as exc:  # the server closes the socket: refused
        assert "4403" in str(exc) or "closed" in str(exc).lower(), exc
        return
    raise AssertionError("a subscription without credentials was accepted")


async def test_resume_after_disconnect_misses_nothing_and_repeats_nothing(
    gql: GQL, live_server: str
) -> None:
    org = await make_org()
    sub = await Subscriber.connect(live_server, org.token("admin"))
    await sub.subscribe(types=["department.created"])
    await asyncio.sleep(0.2)
    await _departments(gql, org, ["a1", "a2", "a3"])
    first = await sub.take(3)
    assert [e["payload"]["name"] for e in first] == ["a1", "a2", "a3"]
    await sub.close()

    await _departments(gql, org, ["b1", "b2"])  # while disconnected
    sub = await Subscriber.connect(live_server, org.token("admin"))
    await sub.subscribe(types=["department.created"], after=first[1]["id"])  # saw only a2
    await asyncio.sleep(0.2)
    await _departments(gql, org, ["c1"])  # live again
    resumed = await sub.take(4)
    assert [e["payload"]["name"] for e in resumed] == ["a3", "b1", "b2", "c1"]
    assert await sub.quiet(1.2) == []
    await sub.close()


async def test_subscribers_get_their_tenant_data_scope_and_key_scopes_only(
    gql: GQL, live_server: str
) -> None:
    org, other = await make_org(), await make_org()
    admin = gql.as_(org.token("admin"))
    readers = {}
    for name, scopes in {"all": ["org:read", "events:read"], "blind": ["events:read"]}.items():
        readers[name] = (
            await admin.ok(
                'mutation($s: [String!]!) { createApiKey(input: {name: "k", scopes: $s}) { key } }',
                {"s": scopes},
            )
        )["createApiKey"]["key"]
    subs = {
        "admin": await Subscriber.connect(live_server, org.token("admin")),
        "staff": await Subscriber.connect(live_server, org.token("staff")),
        "key": await Subscriber.connect(live_server, readers["all"]),
        "blind": await Subscriber.connect(live_server, readers["blind"]),
        "other": await Subscriber.connect(live_server, other.token("admin")),
    }
    for sub in subs.values():
        await sub.subscribe(types=["staff.*"])
    await asyncio.sleep(0.3)
    for who in ("staff2", "staff"):  # someone else first, then the staff member themself
        staff_id = await admin.ok("{ staff(first: 50) { edges { node { id email } } } }")
        gid = next(
            e["node"]["id"]
            for e in staff_id["staff"]["edges"]
            if e["node"]["email"] == f"{who}@x.test"
        )
        await admin.ok(UPDATE_STAFF, {"id": gid, "n": f"Renamed {who}"})

    names = lambda events: [e["payload"]["name"] for e in events]  # noqa: E731
    assert names(await subs["admin"].take(2)) == ["Renamed staff2", "Renamed staff"]
    assert names(await subs["key"].take(2)) == ["Renamed staff2", "Renamed staff"]
    assert names(await subs["staff"].take(1)) == ["Renamed staff"]  # own row only
    for sub in subs.values():
        assert await sub.quiet(0.8) == []  # nothing more; the blind key and tenant B: nothing
        await sub.close()

    # Naming a type the caller may not receive is refused; a pattern just leaves it out.
    error = await gql.as_(readers["blind"]).error(
        '{ events(types: ["staff.created"]) { totalCount } }'
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    data = await gql.as_(readers["blind"]).ok('{ events(types: ["*"]) { totalCount } }')
    assert data["events"]["totalCount"] == 0


async def test_events_query_pages_from_a_cursor(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    await _departments(gql, org, ["p1", "p2", "p3"])
    query = """query($after: ID) { events(types: ["department.created"], first: 2, after: $after) {
      totalCount edges { cursor node { id type payload entityId actor { kind id } } }
      pageInfo { hasNextPage endCursor } } }"""
    everything = (await admin.ok(query.replace("first: 2", "first: 200"), {"after": None}))[
        "events"
    ]
    names = [e["node"]["payload"]["name"] for e in everything["edges"]]
    assert names[-3:] == ["p1", "p2", "p3"]
    start = everything["edges"][-4]["cursor"]
    page = (await admin.ok(query, {"after": start}))["events"]
    assert [e["node"]["payload"]["name"] for e in page["edges"]] == ["p1", "p2"]
    assert page["pageInfo"]["hasNextPage"] and page["totalCount"] == 3
    assert page["edges"][0]["cursor"] == page["edges"][0]["node"]["id"]
    assert page["edges"][0]["node"]["actor"]["kind"] == "staff"
    rest = (await admin.ok(query, {"after": page["pageInfo"]["endCursor"]}))["events"]
    assert [e["node"]["payload"]["name"] for e in rest["edges"]] == ["p3"]
    node = await admin.ok(
        "query($id: ID!) { node(id: $id) { ... on Event { type } } }",
        {"id": rest["edges"][0]["node"]["id"]},
    )
    assert node["node"]["type"] == "department.created"


async def test_event_types_are_discoverable_with_payload_schemas(gql: GQL, org_a: Org) -> None:
    data = await gql.as_(org_a.token("staff")).ok(
        "{ eventTypes { name description scope payloadSchema receivable } }"
    )
    by_name = {t["name"]: t for t in data["eventTypes"]}
    assert {"staff.created", "department.updated", "apikey.revoked", "webhook.disabled"} <= set(
        by_name
    )
    assert "schema.published" in by_name
    assert by_name["staff.created"]["receivable"] is True
    assert by_name["apikey.created"]["receivable"] is False  # staff lack apikeys:manage
    assert (
        by_name["staff.created"]["payloadSchema"]
        == catalogue.event_type("staff.created").payload_schema
    )


async def test_two_api_processes_fan_out_through_the_database(gql: GQL, db: str) -> None:
    """A second API process (uvicorn in a child process, same database) streams events
    committed by this one: through LISTEN/NOTIFY on PostgreSQL, polling on SQLite."""
    org = await make_org()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db, "EVENTS_POLL_SECONDS": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--ws",
        "websockets-sansio",
        "--log-level",
        "warning",
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    if (
                        await http.get(f"{base}/graphql", headers={"accept": "text/html"})
                    ).status_code:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        sub = await Subscriber.connect(base, org.token("admin"))
        await sub.subscribe(types=["department.created"])
        await asyncio.sleep(0.5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await _departments(gql, org, ["x1", "x2"])  # committed by this process
        events = await sub.take(2, limit=15)
        latency = loop.time() - started
        assert [e["payload"]["name"] for e in events] == ["x1", "x2"]
        if is_postgres(db):
            assert latency < 0.9, f"NOTIFY should beat the 1 s poll, took {latency:.2f} s"
        await sub.close()
    finally:
        proc.terminate()
        await proc.wait()
