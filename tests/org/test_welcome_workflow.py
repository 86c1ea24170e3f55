"""A new staff member gets a welcome notification through the welcome workflow, once."""

from __future__ import annotations

import asyncio

from temporalio.testing import WorkflowEnvironment

from api.auth import issue_access_token
from api.org.models import Notification, Staff
from tests.conftest import GQL, make_org
from workflows.welcome.starter import start_welcome, welcome_workflow_id

NOTES = "{ notifications(first: 10) { totalCount edges { node { id kind title readAt } } } }"


async def _wait_for_notes(gql: GQL, token: str) -> dict:
    for _ in range(100):
        data = await gql.as_(token).ok(NOTES)
        if data["notifications"]["totalCount"]:
            return data["notifications"]
        await asyncio.sleep(0.05)
    raise AssertionError("no welcome notification arrived")


async def test_new_staff_is_welcomed_once(gql: GQL, temporal_env: WorkflowEnvironment) -> None:
    org = await make_org()
    await gql.as_(org.token("admin")).ok(
        """mutation { createStaff(input: {name: "Wendy Welcome", email: "wendy@x.test",
           password: "long-enough-pw", roles: [STAFF]}) { staff { id } } }"""
    )
    wendy = await Staff.get(tenant_id=org.tenant.id, email="wendy@x.test")
    token = issue_access_token(org.tenant.id, wendy.id)[0]
    notes = await _wait_for_notes(gql, token)
    assert notes["totalCount"] == 1
    note = notes["edges"][0]["node"]
    assert note["kind"] == "welcome"
    assert note["title"] == f"Welcome to {org.tenant.name}"

    # The workflow ran under its deterministic id; starting it again changes nothing.
    handle = temporal_env.client.get_workflow_handle(welcome_workflow_id(org.tenant.id, wendy.id))
    assert await handle.result() is not None
    await start_welcome(org.tenant.id, wendy.id)
    assert await Notification.filter(staff_id=wendy.id).count() == 1

    # Notifications are personal: the admin does not see Wendy's.
    admin_notes = await gql.as_(org.token("admin")).ok(NOTES)
    assert note["id"] not in str(admin_notes)
    read = await gql.as_(token).ok(
        "mutation($id: ID!) { markNotificationRead(input: {id: $id}) { notification { readAt } } }",
        {"id": note["id"]},
    )
    assert read["markNotificationRead"]["notification"]["readAt"]
    error = await gql.as_(org.token("admin")).error(
        "mutation($id: ID!) { markNotificationRead(input: {id: $id}) { notification { readAt } } }",
        {"id": note["id"]},
    )
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_welcome_lost_to_an_unreachable_temporal_is_sent_by_maintenance(
    gql: GQL, temporal_env: WorkflowEnvironment
) -> None:
    from temporalio.client import Client

    from api.maintenance import run_all
    from workflows.client import set_client

    org = await make_org()
    previous = set_client(await Client.connect("127.0.0.1:1", lazy=True))  # Temporal is down
    try:
        await gql.as_(org.token("admin")).ok(
            """mutation { createStaff(input: {name: "Lou Late", email: "lou@x.test",
               password: "long-enough-pw", roles: [STAFF]}) { staff { id } } }"""
        )
    finally:
        set_client(previous)
    lou = await Staff.get(tenant_id=org.tenant.id, email="lou@x.test")
    assert not await Notification.filter(staff_id=lou.id).exists()
    await run_all()
    token = issue_access_token(org.tenant.id, lou.id)[0]
    notes = await _wait_for_notes(gql, token)
    assert notes["totalCount"] == 1
