"""Recycle of held leads: each assignment with a rule runs a `LeadRecycleWorkflow`
(`lead-recycle:<tenant>:<assignment>`) that sleeps to the next deadline, warns the holder
(`warn_holder()`), and recycles the lead through `recycle_assignment()`, which only
succeeds while the lead is still held by that same assignment.

Services call `watch()` when a hold starts, `unwatch()` when it ends and
`notify_action()` when the holder does something that counts; all three act after the
surrounding transaction commits, and none of them fails the write when Temporal cannot be
reached: a lost start is repaired by the maintenance pass `restart_lost_watches()`, a lost
action is found in the database by the workflow's checks, and a lost end is harmless (the
checks act only while the assignment still holds the lead).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import settings
from api import maintenance
from api.db import after_commit, after_commit_batch, atomic
from api.leads.events import emit_lead
from api.leads.models import Lead, LeadAssignment, LeadTimelineEvent, Pool
from api.leads.recycle import ACTION_TYPES, Action

# A cycle (holding imports this module too): only used at call time.
from api.leads.service import holding, timeline
from api.org.service.notifications import notify

log = logging.getLogger(__name__)

# An assignment whose workflow start is not confirmed after this long is started again.
LOST_WATCH_AGE = timedelta(seconds=30)
LOST_WATCH_BATCH = 500


def _now() -> datetime:
    return datetime.now(UTC)


# -- watching assignments ------------------------------------------------------------------


async def start_watch(assignment: LeadAssignment) -> bool:
    """Start the assignment's workflow (once: its id is the assignment's) and mark it
    started; False if Temporal could not be reached."""
    from workflows.pools.starter import start_recycle

    if not assignment.rule:
        return False
    started = await start_recycle(
        assignment.tenant_id,
        assignment.id,
        assignment.lead_id,
        assignment.rule,
        assignment.started_at,
    )
    if started:
        await LeadAssignment.filter(id=assignment.id).update(workflow_started=True)
    return started


# Workflow starts and signals after one commit run this many at a time (a bulk assignment
# of 1000 leads starts 1000 workflows).
CONCURRENT_CALLS = 16


async def _bounded(calls: list[Awaitable[object]]) -> None:
    gate = asyncio.Semaphore(CONCURRENT_CALLS)

    async def one(call: Awaitable[object]) -> None:
        async with gate:
            await call

    await asyncio.gather(*(one(c) for c in calls))


async def _start_watches(assignments: list[LeadAssignment]) -> None:
    await _bounded([start_watch(a) for a in assignments])


async def _signal_ends(ends: list[tuple[int, int, str]]) -> None:
    from workflows.pools.starter import signal_end

    await _bounded([signal_end(*end) for end in ends])


def watch(assignment: LeadAssignment) -> None:
    """After commit, start the assignment's recycle workflow (if it has a rule)."""
    if assignment.rule:
        after_commit_batch(_start_watches, assignment)


def unwatch(tenant_id: int, assignment_id: int, reason: str) -> None:
    """After commit, tell the assignment's workflow that its hold ended (a hold without
    a rule has none; the signal then finds nothing, harmlessly)."""
    after_commit_batch(_signal_ends, (tenant_id, assignment_id, reason))


def notify_action(tenant_id: int, assignment_id: int, action: Action) -> None:
    """After commit, tell the assignment's workflow what the holder did (the workflow
    counts it at its own clock)."""

    async def tell() -> None:
        from workflows.pools.inputs import ActionRecord
        from workflows.pools.starter import signal_action

        record = ActionRecord(
            kind=action.kind, detail=action.detail, length=action.length, id=action.id
        )
        await signal_action(tenant_id, assignment_id, record)

    after_commit(tell)


async def restart_lost_watches(
    min_age: timedelta = LOST_WATCH_AGE, limit: int = LOST_WATCH_BATCH
) -> int:
    """Start the workflows of open assignments with a rule whose start was never
    confirmed (Temporal unreachable at commit, or a crash in between); how many were
    started. Idempotent: a workflow id is its assignment's."""
    lost = (
        await LeadAssignment.filter(
            workflow_started=False,
            ended_at=None,
            rule__isnull=False,
            started_at__lte=_now() - min_age,
        )
        .order_by("id")
        .limit(limit)
    )
    started = 0
    for assignment in lost:
        if not assignment.rule:  # an empty rule document: nothing to watch
            continue
        if not await start_watch(assignment):
            break  # Temporal is still away: the next pass tries again
        started += 1
    return started


async def _maintenance_pass() -> None:
    await restart_lost_watches()


maintenance.register(_maintenance_pass)


# -- what the workflow's activities do -----------------------------------------------------


@dataclass
class Outcome:
    """What a check did: `status` warned | recycled | ended (the hold ended otherwise) |
    actions (nothing done: the database holds `actions` the workflow did not know)."""

    status: str
    actions: list[Action] = field(default_factory=list)


class _FoundActions(Exception):
    def __init__(self, actions: list[Action]) -> None:
        super().__init__("unknown actions")
        self.actions = actions


def as_action(event: LeadTimelineEvent) -> Action:
    """The rule's view of a timeline event of kind follow_up, material_sent or
    stage_reached (as `api.leads.service.follow_ups` writes them)."""
    data = event.data or {}
    if event.kind == "follow_up":
        return Action(
            kind=event.kind,
            at=event.created_at,
            detail=str(data.get("kind", "")),
            length=int(data.get("length", 0)),
            id=event.id,
        )
    key = "material" if event.kind == "material_sent" else "stage"
    return Action(kind=event.kind, at=event.created_at, detail=str(data.get(key, "")), id=event.id)


async def _unknown_actions(assignment_id: int, known_ids: Collection[int]) -> list[Action]:
    """Actions of the assignment in the database that are not among `known_ids`."""
    qs = LeadTimelineEvent.filter(assignment_id=assignment_id, kind__in=ACTION_TYPES)
    if known_ids:
        qs = qs.exclude(id__in=list(known_ids))
    return [as_action(event) for event in await qs.order_by("id")]


async def _held(tenant_id: int, assignment_id: int) -> tuple[LeadAssignment, Lead] | None:
    """The assignment and its lead while this assignment still holds the lead."""
    assignment = await LeadAssignment.get_or_none(id=assignment_id, tenant_id=tenant_id)
    if assignment is None or assignment.ended_at is not None:
        return None
    lead = await Lead.get_or_none(id=assignment.lead_id, assignment_id=assignment.id)
    return (assignment, lead) if lead is not None else None


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(settings.BUSINESS_TIMEZONE)).strftime("%Y-%m-%d %H:%M")


async def note_deadline(tenant_id: int, assignment_id: int, deadline: datetime | None) -> None:
    """Store the hold's next recycle deadline (None: kept for good) while it lasts."""
    await LeadAssignment.filter(id=assignment_id, tenant_id=tenant_id, ended_at=None).update(
        deadline_at=deadline
    )


async def warn_holder(
    tenant_id: int, assignment_id: int, deadline: datetime, known_ids: Collection[int]
) -> Outcome:
    """Warn the holder that the lead goes back at `deadline`: a notification, a
    `lead.recycle_warning` event and a timeline entry, once per assignment and deadline
    (safe to retry). Nothing if the hold ended, or if the database holds actions the
    workflow does not know (they may move the deadline)."""
    held = await _held(tenant_id, assignment_id)
    if held is None:
        return Outcome("ended")
    assignment, lead = held
    unknown = await _unknown_actions(assignment.id, known_ids)
    if unknown:
        return Outcome("actions", unknown)
    key = deadline.isoformat()
    async with atomic():
        await LeadAssignment.filter(id=assignment.id, ended_at=None).update(deadline_at=deadline)
        warnings = await LeadTimelineEvent.filter(
            assignment_id=assignment.id, kind="recycle_warning"
        ).values_list("data", flat=True)
        if any((data or {}).get("deadline") == key for data in warnings):
            return Outcome("warned")  # a retry after the warning committed
        await timeline.record(
            None,
            lead,
            "recycle_warning",
            {"deadline": key, "staffId": lead.owner_id},
            assignment_id=assignment.id,
        )
        await emit_lead(None, "lead.recycle_warning", lead, extra={"deadline": key})
        if lead.owner_id is not None:
            await notify(
                tenant_id,
                lead.owner_id,
                kind="lead_recycle_warning",
                title=f"Lead {lead.name} goes back to the pool soon",
                body=(
                    f"Unless its recycle rule is met by {_local(deadline)}, "
                    f"{lead.name} goes back to the pool."
                ),
                dedup_key=f"lead-recycle-warning:{assignment.id}:{key}",
            )
    return Outcome("warned")


async def _target_pool(tenant_id: int, rule: dict, lead: Lead) -> Pool | None:
    """Where a recycled lead goes: the rule's open target pool, else its own pool."""
    target_id = rule.get("targetPoolId")
    if target_id is not None:
        target = await Pool.get_or_none(id=target_id, tenant_id=tenant_id, archived=False)
        if target is not None:
            return target
    return await Pool.get_or_none(id=lead.pool_id) if lead.pool_id is not None else None


async def recycle_assignment(
    tenant_id: int, assignment_id: int, now: datetime, known_ids: Collection[int]
) -> Outcome:
    """Take the lead back from its holder at the deadline (`now`, the workflow's clock),
    in one transaction: only while this same assignment holds it (so never twice, never
    after a release or a new hold), and only if the database holds no action of the
    hold the workflow did not know; else those actions come back and nothing changes.
    The lead goes to the rule's target pool (if open) or its own, with a timeline entry,
    a `recycled` transition, a `lead.recycled` event and a notification to the former
    holder; a pool that assigns automatically assigns it after commit."""
    assignment = await LeadAssignment.get_or_none(id=assignment_id, tenant_id=tenant_id)
    if assignment is None:  # the lead was deleted
        return Outcome("ended")
    if assignment.ended_at is not None:
        return Outcome("recycled" if assignment.end_reason == "recycled" else "ended")
    lead = await Lead.get_or_none(id=assignment.lead_id, assignment_id=assignment.id)
    if lead is None:
        return Outcome("ended")
    rule = assignment.rule or {}
    pool = await _target_pool(tenant_id, rule, lead)
    holder, from_pool = lead.owner_id, lead.pool_id
    try:
        async with atomic():
            # The conditional update comes first: it takes the lead's row (and on SQLite
            # the write lock), so a follow-up committing meanwhile is seen just below.
            if not await holding.end_hold(
                lead, "recycled", pool_id=pool.id if pool is not None else None
            ):
                return Outcome("ended")
            unknown = await _unknown_actions(assignment.id, known_ids)
            if unknown:
                raise _FoundActions(unknown)  # roll the recycle back
            await timeline.record(
                None,
                lead,
                "recycled",
                {
                    "staffId": holder,
                    "fromPoolId": from_pool,
                    "toPoolId": lead.pool_id,
                    "rule": rule,
                    "at": now.isoformat(),
                },
                assignment_id=assignment.id,
            )
            await timeline.transition(lead, "recycled", holder)
            await emit_lead(None, "lead.recycled", lead, extra={"rule": rule})
            if holder is not None:
                where = pool.name if pool is not None else "no pool"
                await notify(
                    tenant_id,
                    holder,
                    kind="lead_recycled",
                    title=f"Lead {lead.name} went back to {where}",
                    body=f"Its recycle rule was not met in time, so {lead.name} went back to "
                    f"{where}.",
                    dedup_key=f"lead-recycled:{assignment.id}",
                )
            if pool is not None and pool.strategy != "manual" and not pool.archived:
                lead_id = lead.id

                async def reassign() -> None:
                    await holding.auto_assign_lead(tenant_id, lead_id)

                after_commit(reassign)
    except _FoundActions as found:
        return Outcome("actions", found.actions)
    return Outcome("recycled")
