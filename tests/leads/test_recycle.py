"""Recycle rules on the time-skipping Temporal server: every hold with a rule runs a
`LeadRecycleWorkflow` (started by the session worker) that warns and recycles at the
deadline; follow-ups, materials and stages move or meet the deadline; the end of a hold
ends its workflow; lost signals and lost starts are repaired.

The session's test server skips days in milliseconds, so its clock runs ahead of the
wall clock by every skip so far. The `clock` fixture moves the services' clock (hold
starts and ends) onto the server's, as they agree in production.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from api.errors import Forbidden, NotFound, ValidationFailed
from api.events.models import Event
from api.leads.models import Lead, LeadAssignment, LeadTimelineEvent, LeadTransition, Pool
from api.leads.service import follow_ups, holding, pools, records, recycling
from api.org.models import Notification
from tests.conftest import Org
from tests.leads.helpers import actor, make_pool, pool_org, waiting_leads
from workflows.client import set_client, start_workflow_once
from workflows.pools.inputs import ActionRecord, RecycleInput
from workflows.pools.starter import recycle_workflow_id
from workflows.pools.workflows import LeadRecycleWorkflow

VALID = {"kinds": ["call", "visit"], "minLength": 10}
SINGLE = {"validFollowUp": VALID, "rules": [{"type": "single", "days": 3}]}
LONG_ENOUGH = "Talked about the pricing for a while"
SECOND = timedelta(seconds=2)  # leeway: the server's clock moves on while a test runs


class TemporalClock:
    """The test server's clock, for the services and the test."""

    def __init__(self, env: WorkflowEnvironment) -> None:
        self.env = env
        self.offset = timedelta(0)

    async def sync(self) -> None:
        self.offset = await self.env.get_current_time() - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    async def skip(self, days: float) -> None:
        """Let `days` pass on the server (workflows' timers and activities run)."""
        await self.env.sleep(timedelta(days=days))
        await self.sync()


@pytest.fixture
async def clock(temporal_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> Any:
    clock = TemporalClock(temporal_env)
    await clock.sync()
    monkeypatch.setattr(holding, "_now", clock.now)
    monkeypatch.setattr(recycling, "_now", clock.now)
    return clock


def handle_of(env: WorkflowEnvironment, assignment: LeadAssignment) -> WorkflowHandle:
    return env.client.get_workflow_handle(
        recycle_workflow_id(assignment.tenant_id, assignment.id), result_type=str
    )


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - polling the database and the server
            await asyncio.sleep(0.02)


async def claimed(org: Org, pool: Pool, who: str = "staff", **fields: Any) -> LeadAssignment:
    """A new lead of `pool` (with custom `fields`) claimed by `who`; its assignment."""
    [lead] = await waiting_leads(org, pool, 1)
    if fields:  # tiers are read from custom fields; none are published in these tenants
        await Lead.filter(id=lead.id).update(fields=fields)
    await holding.claim(await actor(org, who), lead.id)
    return await LeadAssignment.get(lead_id=lead.id, ended_at=None)


async def recycled(assignment: LeadAssignment) -> bool:
    row = await LeadAssignment.get(id=assignment.id)
    return row.end_reason == "recycled"


async def kinds(lead_id: int) -> list[str]:
    events = LeadTimelineEvent.filter(lead_id=lead_id).order_by("id")
    return await events.values_list("kind", flat=True)


async def state(env: WorkflowEnvironment, assignment: LeadAssignment) -> Any:
    return await handle_of(env, assignment).query(LeadRecycleWorkflow.state)


async def test_single_rule_recycles_after_n_days_without_a_valid_follow_up(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    assignment = await claimed(org, pool)
    assert assignment.rule["type"] == "single" and assignment.rule["days"] == 3
    assert assignment.workflow_started
    deadline = assignment.started_at + timedelta(days=3)
    await eventually(lambda: _deadline_is(assignment, deadline))

    await clock.skip(2.9)
    lead = await Lead.get(id=assignment.lead_id)
    assert lead.owner_id == org.people["staff"].id, "recycled before the deadline"
    await clock.skip(0.2)
    await eventually(lambda: recycled(assignment))

    assert await handle_of(temporal_env, assignment).result() == "recycled"
    lead = await Lead.get(id=assignment.lead_id)
    assert (lead.owner_id, lead.assignment_id, lead.pool_id) == (None, None, pool.id)
    assert (await kinds(lead.id)).count("recycled") == 1
    steps = await LeadTransition.filter(lead_id=lead.id, step="recycled").values_list(
        "staff_id", flat=True
    )
    assert steps == [org.people["staff"].id]
    event = await Event.get(entity_id=lead.id, type="lead.recycled")
    assert event.payload["rule"]["days"] == 3 and event.payload["ownerId"] is None
    note = await Notification.get(staff_id=org.people["staff"].id, kind="lead_recycled")
    assert lead.name in note.title


async def _deadline_is(assignment: LeadAssignment, deadline: datetime) -> bool:
    row = await LeadAssignment.get(id=assignment.id)
    return row.deadline_at is not None and abs(row.deadline_at - deadline) < SECOND


async def test_a_valid_follow_up_keeps_the_lead(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    assignment = await claimed(org, pool)
    stan = await actor(org, "staff")
    await clock.skip(1)
    entry = await follow_ups.add_follow_up(stan, assignment.lead_id, "call", LONG_ENOUGH)
    assert (entry.kind, entry.assignment_id) == ("follow_up", assignment.id)
    assert entry.data == {"kind": "call", "content": LONG_ENOUGH, "length": len(LONG_ENOUGH)}

    assert await handle_of(temporal_env, assignment).result() == "kept"
    await clock.skip(5)
    lead = await Lead.get(id=assignment.lead_id)
    assert lead.owner_id == stan.staff_id and lead.last_follow_up_at is not None
    row = await LeadAssignment.get(id=assignment.id)
    assert (row.ended_at, row.deadline_at) == (None, None)
    event = await Event.get(entity_id=lead.id, type="lead.followed_up")
    assert event.payload["action"]["detail"] == "call"


async def test_follow_ups_of_the_wrong_kind_or_too_short_do_not_count(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    assignment = await claimed(org, pool)
    stan = await actor(org, "staff")
    await follow_ups.add_follow_up(stan, assignment.lead_id, "note", LONG_ENOUGH)  # wrong kind
    await follow_ups.add_follow_up(stan, assignment.lead_id, "visit", "too short")  # 9 < 10
    current = await state(temporal_env, assignment)
    assert current.actions == 2, "the workflow did not hear of the follow-ups"
    await clock.skip(3.1)
    await eventually(lambda: recycled(assignment))
    assert await handle_of(temporal_env, assignment).result() == "recycled"


async def test_periodic_rule_follow_ups_postpone_the_deadline(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    policy = {"validFollowUp": VALID, "rules": [{"type": "periodic", "days": 3}]}
    org, pool = await pool_org(recycle=policy)
    assignment = await claimed(org, pool)
    stan = await actor(org, "staff")
    await clock.skip(2)
    followed_at = clock.now()
    await follow_ups.add_follow_up(stan, assignment.lead_id, "visit", LONG_ENOUGH)
    await eventually(lambda: _deadline_is(assignment, followed_at + timedelta(days=3)))

    await clock.skip(2)  # day 4: past the first deadline, within the second
    assert not await recycled(assignment)
    assert (await Lead.get(id=assignment.lead_id)).owner_id == stan.staff_id
    await clock.skip(1.2)  # day 5.2: three days after the follow-up
    await eventually(lambda: recycled(assignment))
    assert await handle_of(temporal_env, assignment).result() == "recycled"


async def test_staged_rule_recycles_at_the_end_of_the_first_missed_window(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    policy = {
        "validFollowUp": VALID,
        "rules": [
            {
                "type": "staged",
                "stages": [
                    {"fromDay": 0, "toDay": 2, "action": {"type": "follow_up", "kinds": ["visit"]}},
                    {
                        "fromDay": 2,
                        "toDay": 5,
                        "action": {"type": "stage_reached", "stage": "intent"},
                    },
                ],
            }
        ],
    }
    org, pool = await pool_org(recycle=policy)
    assignment = await claimed(org, pool)
    stan = await actor(org, "staff")
    await clock.skip(1)
    await follow_ups.add_follow_up(stan, assignment.lead_id, "visit", LONG_ENOUGH)
    await follow_ups.record_action(stan, assignment.lead_id, "stage_reached", "contacted")
    window_2_end = assignment.started_at + timedelta(days=5)
    await eventually(lambda: _deadline_is(assignment, window_2_end))

    await clock.skip(3.8)  # day 4.8: window 1 met, window 2 still open
    assert not await recycled(assignment)
    await clock.skip(0.4)  # day 5.2: window 2 closed without its stage
    await eventually(lambda: recycled(assignment))
    assert await handle_of(temporal_env, assignment).result() == "recycled"


async def test_ending_the_hold_ends_the_workflow_without_recycling(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    stan = await actor(org, "staff")
    released = await claimed(org, pool)
    invalid = await claimed(org, pool)
    deleted = await claimed(org, pool)
    await holding.release(stan, released.lead_id, "not interested")
    await holding.mark(stan, invalid.lead_id, "invalid", "wrong number")
    await records.delete_lead(stan, deleted.lead_id)
    for assignment in (released, invalid, deleted):
        async with asyncio.timeout(10):  # no time skipping needed: the signal ends it
            assert await handle_of(temporal_env, assignment).result() == "ended"
    await clock.skip(4)
    for assignment in (released, invalid):
        assert "recycled" not in await kinds(assignment.lead_id)
        lead = await Lead.get(id=assignment.lead_id)
        assert lead.owner_id is None and lead.pool_id == pool.id
    assert (await LeadAssignment.get(id=released.id)).end_reason == "released"


async def test_the_holder_is_warned_hours_before_the_deadline(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle={**SINGLE, "warnHours": 24})
    assignment = await claimed(org, pool)
    staff_id = org.people["staff"].id
    deadline = assignment.started_at + timedelta(days=3)

    await clock.skip(1.9)
    assert not await Notification.filter(staff_id=staff_id, kind="lead_recycle_warning").exists()
    await clock.skip(0.2)  # day 2.1: within 24 hours of the deadline
    await eventually(
        lambda: Notification.filter(staff_id=staff_id, kind="lead_recycle_warning").exists()
    )
    event = await Event.get(entity_id=assignment.lead_id, type="lead.recycle_warning")
    assert abs(datetime.fromisoformat(event.payload["deadline"]) - deadline) < SECOND
    assert (await kinds(assignment.lead_id)).count("recycle_warning") == 1
    assert not await recycled(assignment)
    assert (await state(temporal_env, assignment)).warned_for == event.payload["deadline"]

    await clock.skip(1)
    await eventually(lambda: recycled(assignment))
    assert await Notification.filter(staff_id=staff_id, kind="lead_recycle_warning").count() == 1


async def test_tier_rules_and_target_pool(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org()
    overflow = await make_pool(org, "Overflow", strategy="round_robin")
    admin = await actor(org, "admin")
    policy = {
        "validFollowUp": VALID,
        "tierField": "level",
        "rules": [
            {"tiers": ["A"], "type": "single", "days": 1, "targetPoolId": overflow.id},
            {"type": "single", "days": 3},
        ],
    }
    await pools.update_pool(admin, pool.id, pools.PoolChanges(recycle=policy))
    pool = await Pool.get(id=pool.id)
    tier_a = await claimed(org, pool, level="A")
    tier_b = await claimed(org, pool, level="B")
    assert (tier_a.rule["days"], tier_a.rule["tier"]) == (1, "A")
    assert (tier_b.rule["days"], tier_b.rule["tier"]) == (3, "B")

    await clock.skip(1.2)
    await eventually(lambda: recycled(tier_a))
    assert not await recycled(tier_b)
    lead_a = await Lead.get(id=tier_a.lead_id)
    assert lead_a.pool_id == overflow.id
    # The overflow pool assigns automatically: the recycled lead got a new holder there.
    again = await LeadAssignment.filter(lead_id=lead_a.id).order_by("-id").first()
    assert (again.id != tier_a.id, again.how, again.pool_id) == (True, "auto", overflow.id)
    assert lead_a.owner_id == again.staff_id

    await clock.skip(2)
    await eventually(lambda: recycled(tier_b))
    assert (await Lead.get(id=tier_b.lead_id)).pool_id == pool.id


async def test_new_pool_rules_do_not_change_a_running_hold(clock: TemporalClock) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    before = await claimed(org, pool)
    admin = await actor(org, "admin")
    ten_days = {"validFollowUp": VALID, "rules": [{"type": "single", "days": 10}]}
    await pools.update_pool(admin, pool.id, pools.PoolChanges(recycle=ten_days))
    after = await claimed(org, pool)
    assert after.rule["days"] == 10

    await clock.skip(3.2)
    await eventually(lambda: recycled(before))
    assert (await LeadAssignment.get(id=before.id)).rule["days"] == 3
    assert not await recycled(after)


async def test_recycle_acts_only_while_the_same_hold_lasts(clock: TemporalClock) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    first = await claimed(org, pool)
    lead_id = first.lead_id
    stan, stella = await actor(org, "staff"), await actor(org, "staff2")
    await holding.release(stan, lead_id, "back you go")
    now = clock.now() + timedelta(days=3)
    outcome = await recycling.recycle_assignment(org.tenant.id, first.id, now, [])
    assert outcome.status == "ended"
    assert "recycled" not in await kinds(lead_id)

    await holding.claim(stella, lead_id)
    second = await LeadAssignment.get(lead_id=lead_id, ended_at=None)
    outcome = await recycling.recycle_assignment(org.tenant.id, first.id, now, [])
    assert outcome.status == "ended"
    assert (await Lead.get(id=lead_id)).owner_id == stella.staff_id

    assert (await recycling.recycle_assignment(org.tenant.id, second.id, now, [])).status == (
        "recycled"
    )
    assert (await recycling.recycle_assignment(org.tenant.id, second.id, now, [])).status == (
        "recycled"
    )
    assert (await kinds(lead_id)).count("recycled") == 1
    assert await LeadTransition.filter(lead_id=lead_id, step="recycled").count() == 1
    assert await Event.filter(entity_id=lead_id, type="lead.recycled").count() == 1


async def test_a_reclaimed_lead_keeps_its_whole_timeline(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    first = await claimed(org, pool)
    stan, stella = await actor(org, "staff"), await actor(org, "staff2")
    await follow_ups.add_follow_up(stan, first.lead_id, "chat", "Sent a hello")  # not valid
    await clock.skip(3.1)
    await eventually(lambda: recycled(first))
    await holding.claim(stella, first.lead_id)
    second = await LeadAssignment.get(lead_id=first.lead_id, ended_at=None)
    assert await kinds(first.lead_id) == ["created", "claimed", "follow_up", "recycled", "claimed"]
    described = await handle_of(temporal_env, second).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING


async def test_a_follow_up_whose_signal_was_lost_is_found_at_the_deadline(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    assignment = await claimed(org, pool)
    stan = await actor(org, "staff")
    previous = set_client(await Client.connect("127.0.0.1:1", lazy=True))  # Temporal is down
    try:
        await follow_ups.add_follow_up(stan, assignment.lead_id, "call", LONG_ENOUGH)
    finally:
        set_client(previous)
    assert (await state(temporal_env, assignment)).actions == 0
    await clock.skip(3.1)
    assert await handle_of(temporal_env, assignment).result() == "kept"
    assert not await recycled(assignment)
    assert (await Lead.get(id=assignment.lead_id)).owner_id == stan.staff_id


async def test_a_lost_workflow_start_is_repaired_by_maintenance(
    clock: TemporalClock, temporal_env: WorkflowEnvironment
) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    previous = set_client(await Client.connect("127.0.0.1:1", lazy=True))
    try:
        assignment = await claimed(org, pool)  # the claim itself succeeds
    finally:
        set_client(previous)
    assert not (await LeadAssignment.get(id=assignment.id)).workflow_started
    await recycling.restart_lost_watches()  # too young: its start may still be under way
    assert not (await LeadAssignment.get(id=assignment.id)).workflow_started
    assert await recycling.restart_lost_watches(min_age=timedelta(0)) >= 1
    assert (await LeadAssignment.get(id=assignment.id)).workflow_started
    await clock.skip(3.1)
    await eventually(lambda: recycled(assignment))


async def test_follow_up_validation_and_who_may_follow_up(clock: TemporalClock) -> None:
    org, pool = await pool_org(recycle=SINGLE)
    assignment = await claimed(org, pool)
    lead_id = assignment.lead_id
    stan = await actor(org, "staff")
    with pytest.raises(ValidationFailed) as failed:
        await follow_ups.add_follow_up(stan, lead_id, "email", "  ")
    assert {e.path for e in failed.value.errors} == {("input", "kind"), ("input", "content")}
    with pytest.raises(ValidationFailed):
        await follow_ups.record_action(stan, lead_id, "follow_up", "x")
    for who in ("staff2", "outsider"):  # they do not see a lead someone else holds
        with pytest.raises(NotFound):
            await follow_ups.add_follow_up(await actor(org, who), lead_id, "call", LONG_ENOUGH)
    manager = await actor(org, "manager")
    entry = await follow_ups.add_follow_up(manager, lead_id, "visit", LONG_ENOUGH)
    assert entry.staff_id == manager.staff_id and entry.assignment_id == assignment.id
    [waiting] = await waiting_leads(org, pool, 1)  # not held: only managers follow it up
    with pytest.raises(Forbidden):
        await follow_ups.add_follow_up(stan, waiting.id, "call", LONG_ENOUGH)
    entry = await follow_ups.record_action(manager, waiting.id, "material_sent", "brochure")
    assert (entry.assignment_id, entry.data) == (None, {"material": "brochure"})


async def test_long_holds_continue_as_new_with_their_actions(
    temporal_env: WorkflowEnvironment,
) -> None:
    org, _ = await pool_org()
    assignment_id = 10**12 + uuid.uuid4().int % 10**9  # no such row: the activities no-op
    start = await temporal_env.get_current_time()
    rule = {"type": "periodic", "days": 30, "validFollowUp": VALID, "warnHours": 0}
    handle = await start_workflow_once(
        LeadRecycleWorkflow.run,
        RecycleInput(
            tenant_id=org.tenant.id,
            assignment_id=assignment_id,
            lead_id=0,
            rule=rule,
            started_at=start.isoformat(),
            history_limit=40,
        ),
        id=recycle_workflow_id(org.tenant.id, assignment_id),
        result_type=str,
    )
    first_run = handle.result_run_id
    for i in range(1, 16):
        await handle.signal(LeadRecycleWorkflow.action, ActionRecord("follow_up", "call", 20, id=i))
        await handle.signal(
            LeadRecycleWorkflow.action, ActionRecord("follow_up", "call", 20, id=i)
        )  # a repeat counts once
    latest = temporal_env.client.get_workflow_handle(handle.id, result_type=str)

    async def carried() -> bool:
        if (await latest.describe()).run_id == first_run:
            return False
        try:  # a query racing a continue-as-new can stall on the test server: ask again
            current = await latest.query(
                LeadRecycleWorkflow.state, rpc_timeout=timedelta(seconds=2)
            )
        except RPCError:
            return False
        return current.actions == 15

    await eventually(carried, seconds=30)
    await latest.signal(LeadRecycleWorkflow.end, "released")
    async with asyncio.timeout(10):
        assert await latest.result() == "ended"
