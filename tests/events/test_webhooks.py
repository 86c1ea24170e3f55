"""Webhooks on Temporal, against a real local HTTP receiver: Standard Webhooks signatures
(verified with the `standardwebhooks` package), retries until delivered, every event
once and in order, receiver down then up, replay, rotation, durability when Temporal is
unreachable, and dead letter + automatic disabling after 24 hours of failure (on the
time-skipping server)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook
from temporalio.testing import WorkflowEnvironment

from api.events.models import Event, WebhookDelivery, WebhookEndpoint
from api.events.service import dispatch
from api.org.models import Notification
from api.relay import decode_id
from tests.conftest import GQL, Org, make_org
from tests.events.conftest import Receiver, wait_for

CREATE_DEPT = "mutation($n: String!) { createDepartment(input: {name: $n}) { department { id } } }"
DELIVERIES = """query($id: ID!) { webhookDeliveries(endpointId: $id, first: 50) { totalCount
  edges { node { status replay attemptCount lastStatusCode lastError event { id type }
  attempts { number statusCode latencyMs error } } } } }"""


async def _departments(gql: GQL, org: Org, names: list[str]) -> None:
    admin = gql.as_(org.token("admin"))
    for name in names:
        await admin.ok(CREATE_DEPT, {"n": name})


def _verified(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """Bodies of the successful requests, each checked with the standardwebhooks package."""
    webhook = Webhook(secret)
    return [webhook.verify(r.body, r.headers) for r in receiver.delivered()]


async def test_failing_receiver_gets_every_event_once_in_order_and_signed(
    gql: GQL, receiver: Receiver, endpoints: Any, temporal_env: WorkflowEnvironment
) -> None:
    org = await make_org()
    receiver.fail_first = 3
    endpoint = await endpoints(org, receiver.url, ["department.*"])
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["secretHint"] != endpoint["secret"]
    await _departments(gql, org, ["d1", "d2", "d3"])

    async def all_delivered() -> bool:
        return len(receiver.delivered()) >= 3

    await wait_for(all_delivered, env=temporal_env, what="three deliveries")
    bodies = _verified(receiver, endpoint["secret"])
    assert [b["data"]["payload"]["name"] for b in bodies] == ["d1", "d2", "d3"]
    assert [b["type"] for b in bodies] == ["department.created"] * 3
    ids = [r.headers["webhook-id"] for r in receiver.delivered()]
    assert len(set(ids)) == 3
    assert len(receiver.requests) == 6  # three 500s first, all for d1, then one each
    assert {r.headers["webhook-id"] for r in receiver.requests[:4]} == {ids[0]}

    data = await gql.as_(org.token("admin")).ok(DELIVERIES, {"id": endpoint["id"]})
    nodes = [e["node"] for e in data["webhookDeliveries"]["edges"]]
    first = next(n for n in nodes if n["event"]["id"] == bodies[0]["id"])
    assert first["status"] == "SUCCEEDED" and first["attemptCount"] == 4
    assert [a["statusCode"] for a in first["attempts"]] == [500, 500, 500, 200]
    assert first["attempts"][0]["error"].startswith("HTTP 500")
    assert all(a["latencyMs"] >= 0 for a in first["attempts"])


async def test_receiver_down_then_up_then_replay(
    gql: GQL, receiver: Receiver, endpoints: Any, temporal_env: WorkflowEnvironment
) -> None:
    org = await make_org()
    endpoint = await endpoints(org, receiver.url, ["department.created"])
    await receiver.down()
    since = datetime.now(UTC)
    await _departments(gql, org, ["u1", "u2"])
    endpoint_id = decode_id(endpoint["id"], "WebhookEndpoint")

    async def refused() -> bool:
        row = await WebhookDelivery.filter(endpoint_id=endpoint_id).order_by("id").first()
        return row is not None and row.attempts >= 2

    await wait_for(refused, env=temporal_env, what="refused attempts")
    first = await WebhookDelivery.filter(endpoint_id=endpoint_id).order_by("id").first()
    assert first.status == "pending" and first.last_status_code is None
    assert "Connect" in (first.last_error or "")

    await receiver.up()

    async def delivered() -> bool:
        return len(receiver.delivered()) >= 2

    await wait_for(delivered, env=temporal_env, what="deliveries after the receiver is up")
    bodies = _verified(receiver, endpoint["secret"])
    assert [b["data"]["payload"]["name"] for b in bodies] == ["u1", "u2"]

    # Replay one event, then a time range: sent again, same webhook-id, marked as replays.
    admin = gql.as_(org.token("admin"))
    replayed = await admin.ok(
        """mutation($e: ID!, $id: ID!) { replayWebhookEvent(input: {endpointId: $id, eventId: $e})
           { count deliveries { replay status } } }""",
        {"e": bodies[0]["id"], "id": endpoint["id"]},
    )
    assert replayed["replayWebhookEvent"]["count"] == 1
    await wait_for(lambda: _at_least(receiver, 3), env=temporal_env, what="the replayed delivery")
    assert (
        receiver.delivered()[2].headers["webhook-id"]
        == receiver.delivered()[0].headers["webhook-id"]
    )
    now = datetime.now(UTC)
    ranged = await admin.ok(
        """mutation($id: ID!, $s: DateTime!, $u: DateTime!) { replayWebhookEvents(
             input: {endpointId: $id, since: $s, until: $u}) { count } }""",
        {
            "id": endpoint["id"],
            "s": since.isoformat(),
            "u": (now + timedelta(minutes=1)).isoformat(),
        },
    )
    assert ranged["replayWebhookEvents"]["count"] == 2
    await wait_for(lambda: _at_least(receiver, 5), env=temporal_env, what="the range replay")
    names = [b["data"]["payload"]["name"] for b in _verified(receiver, endpoint["secret"])]
    assert names == ["u1", "u2", "u1", "u1", "u2"]


async def _at_least(receiver: Receiver, count: int) -> bool:
    return len(receiver.delivered()) >= count


async def test_rotated_secret_signs_with_both_until_the_grace_period_ends(
    gql: GQL, receiver: Receiver, endpoints: Any, temporal_env: WorkflowEnvironment
) -> None:
    org = await make_org()
    endpoint = await endpoints(org, receiver.url, ["department.created"])
    rotated = await gql.as_(org.token("admin")).ok(
        "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret } }",
        {"id": endpoint["id"]},
    )
    new_secret = rotated["rotateWebhookSecret"]["secret"]
    assert new_secret != endpoint["secret"]
    await _departments(gql, org, ["r1"])
    await wait_for(lambda: _at_least(receiver, 1), env=temporal_env, what="a delivery")
    assert len(receiver.delivered()[0].headers["webhook-signature"].split(" ")) == 2
    assert _verified(receiver, new_secret) == _verified(receiver, endpoint["secret"])


async def test_event_committed_while_temporal_is_down_is_delivered_later(
    gql: GQL,
    receiver: Receiver,
    endpoints: Any,
    temporal_env: WorkflowEnvironment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = await make_org()
    endpoint = await endpoints(org, receiver.url, ["department.created"])
    await _departments(gql, org, ["t0"])
    await wait_for(lambda: _at_least(receiver, 1), env=temporal_env, what="the first delivery")
    await asyncio.sleep(0.3)  # the workflow is idle again

    async def unreachable() -> Any:
        raise RuntimeError("temporal is down")

    import workflows.webhooks.starter as starter

    monkeypatch.setattr(starter, "get_client", unreachable)
    await _departments(gql, org, ["t1"])  # commits; waking the endpoint fails
    await dispatch.drain_background()
    await asyncio.sleep(0.5)
    assert len(receiver.requests) == 1  # the endpoint's workflow sleeps: nobody woke it
    monkeypatch.undo()
    assert await dispatch.reconcile() >= 1  # what each API process runs periodically
    await wait_for(lambda: _at_least(receiver, 2), env=temporal_env, what="the late delivery")
    names = [b["data"]["payload"]["name"] for b in _verified(receiver, endpoint["secret"])]
    assert names == ["t0", "t1"]


async def test_persistent_failure_dead_letters_and_disables_after_24_hours(
    gql: GQL, receiver: Receiver, endpoints: Any, temporal_env: WorkflowEnvironment
) -> None:
    org = await make_org()
    receiver.failing = True
    endpoint = await endpoints(org, receiver.url, ["department.created"])
    endpoint_id = decode_id(endpoint["id"], "WebhookEndpoint")
    await _departments(gql, org, ["f1"])

    async def disabled() -> bool:
        return not (await WebhookEndpoint.get(id=endpoint_id)).enabled

    await wait_for(
        disabled, env=temporal_env, skip=timedelta(hours=1), limit=60, what="auto-disable"
    )
    row = await WebhookDelivery.get(endpoint_id=endpoint_id)
    assert row.status == "failed" and row.last_status_code == 500
    # 5 s doubling to 1 h: the 34th attempt is the first one 24 hours after the first.
    assert row.attempts == 34
    assert "24 hours" in (await WebhookEndpoint.get(id=endpoint_id)).disabled_reason
    event = await Event.get(tenant_id=org.tenant.id, type="webhook.disabled")
    assert event.payload["deadLetter"]["lastStatusCode"] == 500
    assert event.actor == {"kind": "system", "id": None}
    assert await Notification.filter(
        staff_id=org.people["admin"].id, kind="webhook_disabled"
    ).exists()

    admin = gql.as_(org.token("admin"))
    data = await admin.ok(
        "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason } } }",
        {"id": endpoint["id"]},
    )
    assert data["node"]["enabled"] is False
    failed = await admin.ok(
        DELIVERIES.replace("first: 50", "first: 50, status: FAILED"), {"id": endpoint["id"]}
    )
    assert failed["webhookDeliveries"]["totalCount"] == 1

    # The admin fixes the receiver, enables the endpoint and replays the dead letter.
    receiver.failing = False
    await admin.ok(
        "mutation($id: ID!) { enableWebhookEndpoint(input: {id: $id}) "
        "{ webhookEndpoint { enabled } } }",
        {"id": endpoint["id"]},
    )
    await admin.ok(
        "mutation($e: ID!, $id: ID!) { replayWebhookEvent("
        "input: {endpointId: $id, eventId: $e}) { count } }",
        {"e": failed["webhookDeliveries"]["edges"][0]["node"]["event"]["id"], "id": endpoint["id"]},
    )
    await wait_for(
        lambda: _at_least(receiver, 1), env=temporal_env, what="the replayed dead letter"
    )
    body = _verified(receiver, endpoint["secret"])[0]
    assert body["data"]["payload"]["name"] == "f1"
    assert json.loads(receiver.delivered()[0].body)["type"] == "department.created"


async def test_changed_field_filter_and_patterns(
    gql: GQL, receiver: Receiver, endpoints: Any, temporal_env: WorkflowEnvironment
) -> None:
    org = await make_org()
    endpoint = await endpoints(org, receiver.url, ["staff.updated"], changedFields=["name"])
    admin = gql.as_(org.token("admin"))
    staff_id = (await admin.ok("{ me { id } }"))["me"]["id"]
    update = "mutation($i: UpdateStaffInput!) { updateStaff(input: $i) { staff { id } } }"
    await admin.ok(update, {"i": {"id": staff_id, "phone": "+8613800000002"}})
    await admin.ok(update, {"i": {"id": staff_id, "name": "Alice Renamed"}})
    await _departments(gql, org, ["not-subscribed"])
    await wait_for(lambda: _at_least(receiver, 1), env=temporal_env, what="the name change")
    await temporal_env.sleep(timedelta(minutes=5))
    bodies = _verified(receiver, endpoint["secret"])
    assert [b["data"]["changed"] for b in bodies] == [
        {"name": {"before": "Alice Admin", "after": "Alice Renamed"}}
    ]


async def test_webhook_administration_needs_the_scope_and_validates(gql: GQL, org_a: Org) -> None:
    create = """mutation($u: String!, $t: [String!]!) { createWebhookEndpoint(
      input: {url: $u, eventTypes: $t}) { secret } }"""
    error = await gql.as_(org_a.token("manager")).error(
        create, {"u": "http://127.0.0.1:1/x", "t": ["staff.*"]}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await gql.as_(org_a.token("admin")).error(
        create, {"u": "ftp://nowhere", "t": ["nothing.*", "Bad Pattern"]}
    )
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    paths = {tuple(e["path"]) for e in error["extensions"]["fieldErrors"]}
    assert paths == {("input", "url"), ("input", "eventTypes", 0), ("input", "eventTypes", 1)}
    listed = await gql.as_(org_a.token("admin")).ok(
        "{ webhookEndpoints { edges { node { secretHint url } } } }"
    )
    assert all("..." in e["node"]["secretHint"] for e in listed["webhookEndpoints"]["edges"])
