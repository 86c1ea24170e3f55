"""Who holds a lead: claim, release, assign (one or many), auto-assign, transfer between
pools, and status marks. Every take is settled in the database, inside its transaction:

1. the staff member's `PoolHolding` row is updated first. A claim's update is
   conditional on the claim limits (per day, least interval), and the update's row lock
   queues concurrent takes by the same staff member from the same pool;
2. the holding cap is then checked by counting the leads held, which under that lock
   cannot change underneath;
3. the lead is taken with a conditional update (`owner IS NULL AND assignment IS NULL`),
   so of concurrent takes of one lead exactly one succeeds; the others get CONFLICT and
   roll back (a failed claim does not count against the limits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

import settings
from api.assignment.service import Strategy, choose
from api.auth import Actor
from api.db import atomic, get_scoped, scoped, tenant_scoped
from api.errors import Conflict, FieldErrors, NotFound, RateLimited
from api.leads.events import emit_lead
from api.leads.models import (
    CLAIMABLE,
    Lead,
    LeadAssignment,
    Pool,
    PoolHolding,
    PoolMember,
    member_pools,
)
from api.leads.recycle import snapshot
from api.leads.service import pools, recycling, timeline
from api.leads.service.records import get_lead, require_holder_or_assigner
from api.org.models import Staff
from api.relay import encode_optional_id

MAX_BATCH = 1000
AUTO_ASSIGN_CHUNK = 100  # leads auto-assigned per transaction
MARKABLE = ("valid", "invalid", "to_revisit")


def _now() -> datetime:
    return datetime.now(UTC)


async def _holding(tenant_id: int, pool_id: int, staff_id: int) -> tuple[int, str]:
    """(id, claim day) of the staff member's holding row for the pool, created on first
    use."""
    row = (
        await PoolHolding.filter(pool_id=pool_id, staff_id=staff_id)
        .first()
        .values_list("id", "claim_day")
    )
    if row is not None:
        return row
    try:
        async with in_transaction():  # a savepoint inside the caller's transaction
            created = await PoolHolding.create(
                tenant_id=tenant_id, pool_id=pool_id, staff_id=staff_id
            )
            return created.id, created.claim_day
    except IntegrityError:  # created concurrently
        again = await PoolHolding.get(pool_id=pool_id, staff_id=staff_id)
        return again.id, again.claim_day


async def _count_claim(pool: Pool, holding_id: int, claim_day: str, now: datetime) -> None:
    """Count a claim against the pool's limits in one conditional update; RATE_LIMITED
    (with `retryAfterSeconds`) when a limit is reached. `claim_day` is the row's day as
    read: a new day first resets the count (days only move forward, so a row read as
    today needs no reset)."""
    local = now.astimezone(ZoneInfo(settings.BUSINESS_TIMEZONE))
    today = local.date().isoformat()
    if claim_day != today:
        await (
            PoolHolding.filter(id=holding_id)
            .exclude(claim_day=today)
            .update(claim_day=today, claims_on_day=0)
        )
    qs = PoolHolding.filter(id=holding_id)
    if pool.claims_per_day is not None:
        qs = qs.filter(claims_on_day__lt=pool.claims_per_day)
    interval = timedelta(seconds=pool.claim_interval_seconds or 0)
    if interval:
        qs = qs.filter(Q(last_claim_at__isnull=True) | Q(last_claim_at__lte=now - interval))
    counted = await qs.update(
        claims_on_day=F("claims_on_day") + 1, last_claim_at=now, touches=F("touches") + 1
    )
    if counted:
        return
    row = await PoolHolding.get(id=holding_id)
    if pool.claims_per_day is not None and row.claims_on_day >= pool.claims_per_day:
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        raise RateLimited(
            f"At most {pool.claims_per_day} claims a day from this pool",
            math.ceil((midnight - local).total_seconds()),
        )
    wait = interval - (now - row.last_claim_at) if row.last_claim_at else interval
    raise RateLimited(
        f"Claims from this pool are at least {pool.claim_interval_seconds} s apart",
        max(1, math.ceil(wait.total_seconds())),
    )


async def held_count(tenant_id: int, pool_id: int, staff_id: int) -> int:
    """Leads of the pool the staff member holds now (converted ones no longer count)."""
    return await Lead.filter(
        tenant_id=tenant_id, owner_id=staff_id, pool_id=pool_id, status__in=CLAIMABLE
    ).count()


async def take(
    tenant_id: int,
    lead: Lead,
    staff_id: int,
    *,
    how: str,
    by: int | None,
    actor: Actor | None,
    rate_limited: bool = False,
    pool: Pool | None = None,
    member: PoolMember | bool | None = False,
) -> LeadAssignment:
    """Give a waiting lead to `staff_id` (call inside `atomic()`): limits, cap and the
    lead itself are settled in the database; CONFLICT if the lead is taken or the cap
    reached, RATE_LIMITED for claim limits. Starts the hold's recycle watch on commit.
    `pool` and `member` (the staff member's settings, None for none) may be passed by a
    caller that has them already."""
    now = _now()
    if pool is None and lead.pool_id:
        pool = await Pool.get(id=lead.pool_id)
    if pool is not None:
        if member is False:
            member = await PoolMember.get_or_none(pool_id=pool.id, staff_id=staff_id)
        cap = pools.cap_for(pool, member or None)
        if rate_limited or cap is not None:
            holding_id, claim_day = await _holding(tenant_id, pool.id, staff_id)
            if rate_limited:
                await _count_claim(pool, holding_id, claim_day, now)
            else:  # the same row lock, without the claim limits
                await PoolHolding.filter(id=holding_id).update(touches=F("touches") + 1)
        if cap is not None and await held_count(tenant_id, pool.id, staff_id) >= cap:
            raise Conflict(
                f"The holding cap of {cap} leads from this pool is reached",
                reason="holdingCap",
                cap=cap,
            )
    assignment = await LeadAssignment.create(
        tenant_id=tenant_id,
        lead_id=lead.id,
        pool_id=pool.id if pool else None,
        staff_id=staff_id,
        how=how,
        by_id=by,
        rule=snapshot(pool.recycle, lead.fields or {}) if pool else None,
        started_at=now,
    )
    taken = await Lead.filter(
        id=lead.id, owner_id=None, assignment_id=None, status__in=CLAIMABLE
    ).update(owner_id=staff_id, assignment_id=assignment.id, updated_at=now)
    if not taken:
        raise Conflict("Someone else holds this lead, or it cannot be taken", reason="taken")
    lead.owner_id, lead.assignment_id, lead.updated_at = staff_id, assignment.id, now
    await timeline.record(
        actor,
        lead,
        "claimed" if how == "claim" else "assigned",
        {"staffId": staff_id, "how": how, "rule": assignment.rule},
        assignment_id=assignment.id,
        staff_id=by,
    )
    await timeline.transition(lead, "assigned", staff_id)
    if how == "claim":
        await emit_lead(actor, "lead.claimed", lead)
    else:
        await emit_lead(actor, "lead.assigned", lead, extra={"how": how})
    recycling.watch(assignment)
    return assignment


async def end_hold(
    lead: Lead,
    reason: str,
    *,
    note: str = "",
    pool_id: int | None = None,
    status: str | None = None,
) -> bool:
    """End the lead's current hold (call inside `atomic()`): it goes back to waiting in
    its pool (or `pool_id`), optionally with a new status. Conditional on the hold being
    the one `lead.assignment_id` names; False if it already ended."""
    if lead.assignment_id is None:
        return False
    now = _now()
    values: dict[str, Any] = {"owner_id": None, "assignment_id": None, "updated_at": now}
    if pool_id is not None:
        values["pool_id"] = pool_id
    if status is not None:
        values["status"] = status
    ended = await Lead.filter(id=lead.id, assignment_id=lead.assignment_id).update(**values)
    if not ended:
        return False
    await LeadAssignment.filter(id=lead.assignment_id, ended_at=None).update(
        ended_at=now, end_reason=reason, end_note=note
    )
    if reason != "recycled" and (  # a recycle is the watch ending it
        await LeadAssignment.filter(id=lead.assignment_id, rule__isnull=False).exists()
    ):
        recycling.unwatch(lead.tenant_id, lead.assignment_id, reason)
    for key, value in values.items():
        setattr(lead, key, value)
    return True


# -- operations --------------------------------------------------------------------------


async def _usable_pool(pool_id: int | None, staff: Staff, path: list[str | int]) -> Pool:
    pool = await Pool.get_or_none(id=pool_id) if pool_id else None
    if pool is None or pool.archived:
        raise Conflict("The lead is not waiting in an open pool", path=path, reason="noPool")
    if not await pools.staff_may_use(pool.id, staff):
        raise Conflict(
            "The staff member does not work in the pool's departments",
            path=path,
            reason="notMember",
        )
    return pool


async def claim(actor: Actor, lead_id: int) -> Lead:
    """Claim a waiting lead of a pool the caller's department uses, within the pool's
    holding cap and claim limits. Of concurrent claims of one lead, one wins."""
    actor.require("leads:write")
    if actor.staff_id is None:
        raise Conflict("Only staff members claim leads")
    # A lead of a pool bound to the caller's department chain (so the caller may use it),
    # waiting or not: one just taken is a CONFLICT for the pool's users, NOT_FOUND for
    # everyone else.
    lead = await tenant_scoped(actor, Lead).get_or_none(
        id=lead_id, pool_id__in=Subquery(member_pools(actor))
    )
    if lead is None:
        raise NotFound("No Lead with this id")
    pool = await Pool.get(id=lead.pool_id)
    if pool.archived:
        raise Conflict("The pool is archived", path=["input", "id"], reason="noPool")
    if lead.owner_id is not None:
        raise Conflict("Someone else holds this lead", path=["input", "id"], reason="taken")
    async with atomic():
        await take(
            actor.tenant_id,
            lead,
            actor.staff_id,
            how="claim",
            by=actor.staff_id,
            actor=actor,
            rate_limited=True,
            pool=pool,
        )
    return lead


async def release(actor: Actor, lead_id: int, reason: str) -> Lead:
    """Give a held lead back to its pool, with a reason (the holder, or a manager)."""
    actor.require("leads:write")
    errors = FieldErrors()
    reason = reason.strip()
    errors.check(0 < len(reason) <= 500, ("reason",), "length", "Give a reason (1-500 characters)")
    errors.raise_if_any()
    lead = await get_lead(actor, lead_id)
    require_holder_or_assigner(actor, lead)
    if lead.pool_id is None:
        raise Conflict("The lead has no pool to go back to", path=["input", "id"], reason="noPool")
    async with atomic():
        holder = lead.owner_id
        if not await end_hold(lead, "released", note=reason):
            raise Conflict("The lead is not held", path=["input", "id"], reason="notHeld")
        await timeline.record(actor, lead, "released", {"reason": reason, "staffId": holder})
        await timeline.transition(lead, "released", holder)
        await emit_lead(actor, "lead.released", lead, extra={"reason": reason})
    pool = await Pool.get(id=lead.pool_id)
    if pool.strategy != "manual" and not pool.archived:
        await pools.start_sweeping(pool)  # the released lead waits for the next holder
    return lead


async def _batch(actor: Actor, lead_ids: Sequence[int]) -> dict[int, Lead]:
    """The leads of a bulk operation by id: 1-1000 of them, every one visible to the
    actor (NOT_FOUND naming the first that is not)."""
    errors = FieldErrors()
    errors.check(0 < len(lead_ids) <= MAX_BATCH, ("leadIds",), "length", "1-1000 leads")
    errors.raise_if_any()
    rows = {r.id: r for r in await scoped(actor, Lead).filter(id__in=list(lead_ids))}
    for i, lead_id in enumerate(lead_ids):
        if lead_id not in rows:
            raise NotFound("No Lead with this id", path=["input", "leadIds", i])
    return rows


async def assign(actor: Actor, lead_ids: Sequence[int], staff_id: int) -> list[Lead]:
    """Assign leads to a staff member (a manager's act): all or none. Held leads are taken
    from their holder. Caps apply; claim limits do not."""
    actor.require("leads:assign")
    rows = await _batch(actor, lead_ids)
    staff = await scoped(actor, Staff).get_or_none(id=staff_id, active=True)
    if staff is None:
        raise NotFound("No such staff member", path=["input", "staffId"])
    leads: dict[int, Lead] = {}
    async with atomic():
        for i, lead_id in enumerate(lead_ids):
            lead = rows[lead_id]
            if lead_id in leads:
                continue  # named twice
            path: list[str | int] = ["input", "leadIds", i]
            if lead.pool_id is not None:
                await _usable_pool(lead.pool_id, staff, path)
            if lead.owner_id == staff.id:
                leads[lead_id] = lead
                continue
            if lead.owner_id is not None:
                previous = lead.owner_id
                await end_hold(lead, "reassigned")
                await timeline.transition(lead, "released", previous)
            try:
                await take(
                    actor.tenant_id, lead, staff.id, how="assign", by=actor.staff_id, actor=actor
                )
            except Conflict as exc:
                exc.extensions["path"] = path
                raise
            leads[lead_id] = lead
    return list(leads.values())


def waiting(pool: Pool) -> QuerySet[Lead]:
    """The pool's leads waiting to be claimed or assigned."""
    return Lead.filter(
        tenant_id=pool.tenant_id, pool_id=pool.id, owner_id=None, status__in=CLAIMABLE
    )


async def _loads(pool: Pool) -> dict[int, int]:
    rows = (
        await Lead.filter(
            tenant_id=pool.tenant_id, pool_id=pool.id, owner_id__isnull=False, status__in=CLAIMABLE
        )
        .annotate(n=Count("id"))
        .group_by("owner_id")
        .values_list("owner_id", "n")
    )
    return {owner: n for owner, n in rows}


async def _last_holders(tenant_id: int, lead_ids: list[int]) -> dict[int, int]:
    """For leads whose last hold ended by release or recycle: the staff member who held
    it (auto-assignment passes them over for that lead)."""
    rows = (
        await LeadAssignment.filter(
            tenant_id=tenant_id, lead_id__in=lead_ids, ended_at__isnull=False
        )
        .order_by("lead_id", "-ended_at", "-id")
        .values_list("lead_id", "staff_id", "end_reason")
    )
    last: dict[int, int] = {}
    seen: set[int] = set()
    for lead_id, staff_id, reason in rows:
        if lead_id in seen:
            continue
        seen.add(lead_id)
        if reason in ("released", "recycled"):
            last[lead_id] = staff_id
    return last


async def _auto_assign(
    tenant_id: int,
    pool: Pool,
    strategy: Strategy,
    leads: list[Lead],
    *,
    by: int | None,
    actor: Actor | None,
) -> list[Lead]:
    seats = await pools.seats(pool)
    settings_by_staff = await pools.member_settings(pool.id)
    loads = await _loads(pool)
    gave_up = await _last_holders(tenant_id, [lead.id for lead in leads])
    assigned: list[Lead] = []
    for start in range(0, len(leads), AUTO_ASSIGN_CHUNK):
        # One transaction per chunk, one savepoint per lead: a lead lost to a race or a
        # full cap rolls back alone, and a chunk commits once.
        async with atomic():
            for lead in leads[start : start + AUTO_ASSIGN_CHUNK]:
                # Never straight back to the staff member who released it or let it lapse.
                previous = gave_up.get(lead.id)
                candidates = [s for s in seats if s.staff_id != previous]
                staff_id = await choose(
                    tenant_id, f"pool:{pool.id}", candidates, strategy, loads=loads
                )
                if staff_id is None:
                    if len(candidates) < len(seats):
                        continue  # only its last holder has room: the next lead may fit
                    return assigned  # nobody online under their cap
                try:
                    async with atomic():
                        await take(
                            tenant_id,
                            lead,
                            staff_id,
                            how="auto",
                            by=by,
                            actor=actor,
                            pool=pool,
                            member=settings_by_staff.get(staff_id),
                        )
                except Conflict as exc:
                    if exc.extensions.get("reason") == "holdingCap":
                        loads[staff_id] = exc.extensions["cap"]  # full: skipped from now on
                    continue
                loads[staff_id] = loads.get(staff_id, 0) + 1
                assigned.append(lead)
    return assigned


async def auto_assign(
    actor: Actor, pool_id: int, limit: int, strategy: str | None = None
) -> list[Lead]:
    """Assign up to `limit` waiting leads of the pool, oldest first, by the pool's
    strategy (or `strategy`), to its staff who are online and under their cap."""
    actor.require("leads:assign")
    pool = await get_scoped(actor, Pool, pool_id)
    errors = FieldErrors()
    chosen = strategy or pool.strategy
    errors.check(0 < limit <= MAX_BATCH, ("limit",), "range", "1-1000 leads")
    errors.check(
        chosen in {s.value for s in Strategy},
        ("strategy",),
        "enum",
        "The pool assigns by hand; name a strategy: round_robin, weighted or least_loaded",
    )
    errors.raise_if_any()
    if pool.archived:
        raise Conflict("The pool is archived", path=["input", "poolId"], reason="archived")
    leads = list(await waiting(pool).order_by("created_at", "id").limit(limit))
    return await _auto_assign(
        actor.tenant_id, pool, Strategy(chosen), leads, by=actor.staff_id, actor=actor
    )


async def auto_assign_lead(tenant_id: int, lead_id: int) -> bool:
    """Auto-assign one waiting lead if its pool assigns automatically (after a create, a
    recycle or a transfer); whether it was assigned. A lead left waiting starts the
    pool's sweeping workflow, which assigns it once someone has room."""
    lead = await Lead.get_or_none(id=lead_id, tenant_id=tenant_id, owner_id=None)
    if lead is None or lead.pool_id is None or lead.status not in CLAIMABLE:
        return False
    pool = await Pool.get(id=lead.pool_id)
    if pool.archived or pool.strategy == "manual":
        return False
    if await _auto_assign(tenant_id, pool, Strategy(pool.strategy), [lead], by=None, actor=None):
        return True
    await pools.start_sweeping(pool)
    return False


async def sweep_pool(tenant_id: int, pool_id: int, limit: int) -> tuple[int, int, bool]:
    """One sweep of a pool that assigns automatically: (leads assigned, leads still
    waiting, whether the pool still assigns automatically)."""
    pool = await Pool.get_or_none(id=pool_id, tenant_id=tenant_id)
    if pool is None or pool.archived or pool.strategy == "manual":
        return 0, 0, False
    leads = list(await waiting(pool).order_by("created_at", "id").limit(limit))
    assigned = await _auto_assign(
        tenant_id, pool, Strategy(pool.strategy), leads, by=None, actor=None
    )
    return len(assigned), await waiting(pool).count(), True


async def transfer(
    actor: Actor, lead_ids: Sequence[int], pool_id: int, reason: str = ""
) -> list[Lead]:
    """Move leads to another pool (all or none); held ones are released into it."""
    actor.require("leads:assign")
    rows = await _batch(actor, lead_ids)
    target = await scoped(actor, Pool).get_or_none(id=pool_id, archived=False)
    if target is None:
        raise NotFound("No such open pool", path=["input", "poolId"])
    moved = []
    async with atomic():
        for lead_id in dict.fromkeys(lead_ids):
            lead = rows[lead_id]
            source_pool = lead.pool_id
            if source_pool == target.id:
                continue
            holder = lead.owner_id
            if holder is not None:
                await end_hold(lead, "transferred", note=reason, pool_id=target.id)
                await timeline.transition(lead, "released", holder)
            else:
                await Lead.filter(id=lead.id).update(pool_id=target.id, updated_at=_now())
                lead.pool_id = target.id
            await timeline.record(
                actor,
                lead,
                "transferred",
                {"fromPoolId": source_pool, "toPoolId": target.id, "reason": reason},
            )
            await emit_lead(
                actor,
                "lead.transferred",
                lead,
                extra={"fromPoolId": encode_optional_id("Pool", source_pool)},
            )
            moved.append(lead)
    if target.strategy != "manual":
        for lead in moved:
            await auto_assign_lead(actor.tenant_id, lead.id)
            await lead.refresh_from_db()
    return moved


async def mark(actor: Actor, lead_id: int, status: str, reason: str = "") -> Lead:
    """Mark a lead valid, invalid or to revisit (its holder, or a manager). An invalid
    lead leaves its holder and cannot be claimed until marked valid again."""
    actor.require("leads:write")
    errors = FieldErrors()
    errors.check(status in MARKABLE, ("status",), "enum", "Status is valid, invalid or to_revisit")
    errors.check(len(reason) <= 500, ("reason",), "maxLength", "At most 500 characters")
    errors.raise_if_any()
    lead = await get_lead(actor, lead_id)
    require_holder_or_assigner(actor, lead)
    if lead.status == "converted":
        raise Conflict(
            "A converted lead keeps its status", path=["input", "id"], reason="converted"
        )
    previous = lead.status
    if previous == status:
        return lead
    async with atomic():
        holder = lead.owner_id
        if status == "invalid" and lead.assignment_id is not None:
            await end_hold(lead, "invalid", note=reason, status="invalid")
        else:
            updated = await Lead.filter(id=lead.id, status=previous).update(
                status=status, updated_at=_now()
            )
            if not updated:
                raise Conflict("The lead changed meanwhile; try again", reason="changed")
            lead.status = status
        await timeline.record(
            actor,
            lead,
            "status_changed",
            {"from": previous, "to": status, "reason": reason},
            assignment_id=lead.assignment_id,
        )
        await timeline.transition(lead, status, holder)
        await emit_lead(
            actor, "lead.status_changed", lead, extra={"previousStatus": previous, "reason": reason}
        )
    return lead
