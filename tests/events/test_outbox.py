"""The outbox: events are written in the change's transaction or not at all, carry the
state after the change, and their ids are a cursor that never skips a committed event,
even with 50 writers committing out of order (run on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import asyncio
import random

import pytest

from api.db import atomic
from api.errors import Conflict
from api.events import catalogue
from api.events.models import Event
from api.events.outbox import emit
from api.org.models import Department
from api.org.service.actors import actor_for_staff
from api.relay import encode_id
from tests.conftest import GQL, Org, make_org, unique
from tests.events.conftest import Subscriber


async def _events(org: Org, after: int = 0) -> list[Event]:
    return await Event.filter(tenant_id=org.tenant.id, id__gt=after).order_by("id")


async def _head(org: Org) -> int:
    last = await Event.filter(tenant_id=org.tenant.id).order_by("-id").first()
    return last.id if last else 0


async def test_rollback_leaves_no_event() -> None:
    org_a = await make_org()
    actor = await actor_for_staff(org_a.people["admin"])
    before = await _head(org_a)
    with pytest.raises(RuntimeError, match="boom"):
        async with atomic():
            dept = await Department.create(tenant_id=org_a.tenant.id, name=unique("gone"))
            await emit(actor, "department.created", "department", dept.id, {"x": 1})
            raise RuntimeError("boom")
    assert await _events(org_a, before) == []

    # A failing nested block drops its own event; the outer transaction keeps its own.
    async with atomic():
        await emit(actor, "department.created", "department", 1, {"kept": True})
        with pytest.raises(Conflict):
            async with atomic():
                await emit(actor, "department.created", "department", 2, {"kept": False})
                raise Conflict("no")
    assert [e.payload for e in await _events(org_a, before)] == [{"kept": True}]


async def test_emit_needs_a_transaction_and_a_registered_type(org_a: Org) -> None:
    actor = await actor_for_staff(org_a.people["admin"])
    with pytest.raises(RuntimeError, match="atomic"):
        await emit(actor, "department.created", "department", 1, {})
    async with atomic():
        with pytest.raises(ValueError, match="unknown event type"):
            await emit(actor, "department.exploded", "department", 1, {})


async def test_failed_mutation_writes_no_event(gql: GQL, org_a: Org) -> None:
    before = await _head(org_a)
    error = await gql.as_(org_a.token("admin")).error(
        """mutation { createStaff(input: {name: "Dup", email: "staff@x.test",
           password: "long-enough-pw", roles: [STAFF]}) { staff { id } } }"""
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert await _events(org_a, before) == []


async def test_org_changes_emit_valid_events_with_state_changes_and_actor(gql: GQL) -> None:
    org = await make_org()
    admin = gql.as_(org.token("admin"))
    start = await _head(org)
    dept = (
        await admin.ok('mutation { createDepartment(input: {name: "Ops"}) { department { id } } }')
    )["createDepartment"]["department"]["id"]
    await admin.ok(
        'mutation($id: ID!) { updateDepartment(input: {id: $id, name: "Ops 2"}) '
        "{ department { id } } }",
        {"id": dept},
    )
    staff = (
        await admin.ok(
            """mutation { createStaff(input: {name: "Evi Event", email: "evi@x.test",
               password: "long-enough-pw", roles: [STAFF]}) { staff { id } } }"""
        )
    )["createStaff"]["staff"]["id"]
    for mutation in (
        'updateStaff(input: {id: $id, name: "Evi Renamed", phone: "+8613800000001"})',
        "disableStaff(input: {id: $id})",
        "enableStaff(input: {id: $id})",
    ):
        await admin.ok(f"mutation($id: ID!) {{ {mutation} {{ staff {{ id }} }} }}", {"id": staff})
    key = (
        await admin.ok(
            'mutation { createApiKey(input: {name: "k", scopes: ["org:read"]}) { apiKey { id } } }'
        )
    )["createApiKey"]["apiKey"]["id"]
    await admin.ok(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }", {"id": key}
    )

    events = await _events(org, start)
    assert [e.type for e in events] == [
        "department.created",
        "department.updated",
        "staff.created",
        "staff.updated",
        "staff.disabled",
        "staff.enabled",
        "apikey.created",
        "apikey.revoked",
    ]
    ids = [e.id for e in events]
    assert ids == sorted(ids)
    for event in events:
        assert catalogue.payload_errors(event.type, event.payload) == [], event.type
        assert event.actor == {"kind": "staff", "id": org.people["admin"].id}
    renamed = events[3]
    assert renamed.payload["name"] == "Evi Renamed"
    assert renamed.changed == {
        "name": {"before": "Evi Event", "after": "Evi Renamed"},
        "phone": {"before": None, "after": "+8613800000001"},
    }
    assert events[1].changed == {"name": {"before": "Ops", "after": "Ops 2"}}
    assert encode_id("Department", events[0].entity_id) == dept
    assert events[4].payload["active"] is False and events[5].payload["active"] is True
    assert "password" not in str([e.payload for e in events])
    assert events[7].payload["revokedAt"] is not None


async def test_every_registered_payload_schema_is_described() -> None:
    for spec in catalogue.event_types():
        assert spec.description and spec.payload_schema.get("type") == "object", spec.name


async def test_50_concurrent_writers_seen_once_in_cursor_order_by_a_live_subscriber(
    live_server: str, db: str
) -> None:
    """50 writers commit concurrently and out of order (each sleeps a random time after
    writing, some roll back); a subscriber reading live sees every committed event
    exactly once, in id order, and no rolled-back one."""
    org = await make_org()
    actor = await actor_for_staff(org.people["admin"])
    subscriber = await Subscriber.connect(live_server, org.token("admin"))
    await subscriber.subscribe(types=["department.*"])
    await asyncio.sleep(0.3)  # the subscription has taken its starting cursor
    rng = random.Random(4)

    async def writer(i: int) -> int | None:
        try:
            async with atomic():
                dept = await Department.create(tenant_id=org.tenant.id, name=f"w{i}")
                await emit(actor, "department.created", "department", dept.id, {"i": i})
                await asyncio.sleep(rng.random() * 0.05)
                if i % 10 == 3:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            return None
        return i

    committed = {i for i in await asyncio.gather(*(writer(i) for i in range(50))) if i is not None}
    assert len(committed) == 45
    seen = await subscriber.take(len(committed), limit=30)
    assert await subscriber.quiet(1.5) == []
    await subscriber.close()
    assert sorted(e["payload"]["i"] for e in seen) == sorted(committed)
    rows = {encode_id("Event", e.id): e.id for e in await _events(org)}
    positions = [rows[e["id"]] for e in seen]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
