"""Pools (公海): create, change and archive them; their departments (who may see and
claim), per-staff settings (weight, cap override, online hours) and recycle policy.

A pool's recycle policy applies to assignments made after it changes: a running
assignment keeps the rule it started with (a snapshot on the assignment row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from jsonschema import Draft202012Validator
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from api import maintenance
from api.assignment.service import OnlineWindow, Seat, Strategy
from api.auth import Actor
from api.db import after_commit, atomic, get_scoped, scoped, tenant_scoped
from api.errors import Conflict, FieldErrors, NotFound
from api.leads.events import emit_pool
from api.leads.models import CLAIMABLE, Lead, Pool, PoolDepartment, PoolMember
from api.leads.recycle import POLICY_SCHEMA, stage_order_issues
from api.org.models import Department, Staff

STRATEGIES = ("manual", *(s.value for s in Strategy))
_policy_validator = Draft202012Validator(POLICY_SCHEMA)


def visible_pools(actor: Actor) -> QuerySet[Pool]:
    """Pools the actor may see: bound to its department or one above it (managers: also
    to departments of their subtree; admins: all)."""
    actor.require("leads:read")
    return scoped(actor, Pool)


async def get_pool(actor: Actor, pool_id: int) -> Pool:
    actor.require("leads:read")
    return await get_scoped(actor, Pool, pool_id)


@dataclass
class PoolChanges:
    """Settings of a pool; None leaves a value as it is (on create: the default)."""

    name: str | None = None
    description: str | None = None
    holding_cap: int | None = None
    set_holding_cap: bool = False
    claims_per_day: int | None = None
    set_claims_per_day: bool = False
    claim_interval_seconds: int | None = None
    strategy: str | None = None
    recycle: dict[str, Any] | None = None
    department_ids: list[int] | None = None


async def _check(actor: Actor, changes: PoolChanges, errors: FieldErrors, creating: bool) -> None:
    if changes.name is not None or creating:
        name = (changes.name or "").strip()
        changes.name = name
        errors.check(0 < len(name) <= 100, ("name",), "length", "Name must be 1-100 characters")
    for key, value in (
        ("holdingCap", changes.holding_cap),
        ("claimsPerDay", changes.claims_per_day),
        ("claimIntervalSeconds", changes.claim_interval_seconds),
    ):
        if value is not None:
            errors.check(0 <= value <= 1_000_000, (key,), "range", "Must be 0-1000000")
    if changes.strategy is not None:
        errors.check(
            changes.strategy in STRATEGIES,
            ("strategy",),
            "enum",
            f"Strategy is one of {', '.join(STRATEGIES)}",
        )
    if changes.recycle is not None:
        for error in _policy_validator.iter_errors(changes.recycle):
            errors.add(("recycle", *error.absolute_path), str(error.validator), error.message)
        if not errors.errors:
            for path, message in stage_order_issues(changes.recycle):
                errors.add(("recycle", *path), "order", message)
            targets = {
                r.get("targetPoolId")
                for r in changes.recycle.get("rules", [])
                if r.get("targetPoolId") is not None
            }
            found = set(
                await tenant_scoped(actor, Pool)
                .filter(id__in=list(targets), archived=False)
                .values_list("id", flat=True)
            )
            for i, rule in enumerate(changes.recycle.get("rules", [])):
                target = rule.get("targetPoolId")
                if target is not None and target not in found:
                    errors.add(("recycle", "rules", i, "targetPoolId"), "exists", "No such pool")
    if changes.department_ids is not None:
        found = set(
            await tenant_scoped(actor, Department)
            .filter(id__in=changes.department_ids)
            .values_list("id", flat=True)
        )
        for i, dept in enumerate(changes.department_ids):
            errors.check(dept in found, ("departmentIds", i), "exists", "No such department")
    if changes.department_ids is not None or creating:
        errors.check(
            bool(changes.department_ids),
            ("departmentIds",),
            "minItems",
            "A pool is bound to at least one department",
        )


async def _set_departments(actor: Actor, pool: Pool, department_ids: list[int]) -> None:
    await PoolDepartment.filter(pool_id=pool.id).delete()
    await PoolDepartment.bulk_create(
        [
            PoolDepartment(tenant_id=actor.tenant_id, pool_id=pool.id, department_id=d)
            for d in dict.fromkeys(department_ids)
        ]
    )


async def create_pool(actor: Actor, changes: PoolChanges) -> Pool:
    actor.require("pools:manage")
    errors = FieldErrors()
    await _check(actor, changes, errors, creating=True)
    errors.raise_if_any()
    try:
        async with atomic():
            pool = await Pool.create(
                tenant_id=actor.tenant_id,
                name=changes.name,
                description=changes.description or "",
                holding_cap=changes.holding_cap,
                claims_per_day=changes.claims_per_day,
                claim_interval_seconds=changes.claim_interval_seconds or 0,
                strategy=changes.strategy or "manual",
                recycle=changes.recycle or {},
            )
            await _set_departments(actor, pool, changes.department_ids or [])
            await emit_pool(actor, "pool.created", pool)
            _sweep_after_commit(pool)
    except IntegrityError as exc:
        raise Conflict("A pool with this name exists", path=["input", "name"]) from exc
    return pool


async def update_pool(actor: Actor, pool_id: int, changes: PoolChanges) -> Pool:
    """Change a pool. New recycle rules apply to assignments made from now on."""
    actor.require("pools:manage")
    pool = await get_scoped(actor, Pool, pool_id)
    errors = FieldErrors()
    await _check(actor, changes, errors, creating=False)
    if changes.recycle:
        for i, rule in enumerate(changes.recycle.get("rules", [])):
            errors.check(
                rule.get("targetPoolId") != pool.id,
                ("recycle", "rules", i, "targetPoolId"),
                "notSelf",
                "Leave targetPoolId empty to recycle into this pool",
            )
    errors.raise_if_any()
    if changes.name is not None:
        pool.name = changes.name
    if changes.description is not None:
        pool.description = changes.description
    if changes.set_holding_cap:
        pool.holding_cap = changes.holding_cap
    if changes.set_claims_per_day:
        pool.claims_per_day = changes.claims_per_day
    if changes.claim_interval_seconds is not None:
        pool.claim_interval_seconds = changes.claim_interval_seconds
    if changes.strategy is not None:
        pool.strategy = changes.strategy
    if changes.recycle is not None:
        pool.recycle = changes.recycle
    try:
        async with atomic():
            await pool.save()
            if changes.department_ids is not None:
                await _set_departments(actor, pool, changes.department_ids)
            await emit_pool(actor, "pool.updated", pool)
            _sweep_after_commit(pool)
            _nudge_after_commit(pool)
    except IntegrityError as exc:
        raise Conflict("A pool with this name exists", path=["input", "name"]) from exc
    return pool


async def archive_pool(actor: Actor, pool_id: int) -> Pool:
    """Archive a pool: nobody can claim from it or recycle into it; leads stay."""
    actor.require("pools:manage")
    pool = await get_scoped(actor, Pool, pool_id)
    async with atomic():
        pool.archived = True
        await pool.save(update_fields=["archived", "updated_at"])
        await emit_pool(actor, "pool.archived", pool)
        _nudge_after_commit(pool)  # its workflow, if any, ends
    return pool


@dataclass
class MemberSettings:
    """Per-staff settings of a pool."""

    weight: int = 1
    holding_cap: int | None = None
    auto_assign: bool = True
    online: list[dict[str, Any]] = field(default_factory=list)


def _parse_time(value: Any) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def online_windows(online: list[dict[str, Any]]) -> tuple[OnlineWindow, ...]:
    """Stored online hours as assignment windows."""
    return tuple(
        OnlineWindow(
            weekdays=frozenset(w.get("weekdays", range(7))),
            start=_parse_time(w.get("start")) or time(0, 0),
            end=_parse_time(w.get("end")) or time(23, 59, 59),
        )
        for w in online
    )


async def set_member(
    actor: Actor, pool_id: int, staff_id: int, settings: MemberSettings
) -> PoolMember:
    """Set a staff member's weight, cap override, auto-assignment and online hours."""
    actor.require("pools:manage")
    pool = await get_scoped(actor, Pool, pool_id)
    staff = await tenant_scoped(actor, Staff).get_or_none(id=staff_id)
    if staff is None:
        raise NotFound("No such staff member", path=["input", "staffId"])
    errors = FieldErrors()
    errors.check(0 <= settings.weight <= 1000, ("weight",), "range", "Weight is 0-1000")
    if settings.holding_cap is not None:
        errors.check(0 <= settings.holding_cap <= 1_000_000, ("holdingCap",), "range", "0-1000000")
    for i, window in enumerate(settings.online):
        days = window.get("weekdays", [])
        errors.check(
            isinstance(days, list) and all(d in range(7) for d in days),
            ("online", i, "weekdays"),
            "enum",
            "Weekdays are 0 (Monday) to 6",
        )
        for key in ("start", "end"):
            errors.check(
                _parse_time(window.get(key)) is not None,
                ("online", i, key),
                "format",
                "A time like 09:00",
            )
    if not await staff_may_use(pool.id, staff):
        errors.add(("staffId",), "member", "The staff member is not in the pool's departments")
    errors.raise_if_any()
    async with atomic():
        member, _ = await PoolMember.get_or_create(
            tenant_id=actor.tenant_id, pool_id=pool.id, staff_id=staff.id
        )
        member.weight = settings.weight
        member.holding_cap = settings.holding_cap
        member.auto_assign = settings.auto_assign
        member.online = settings.online
        await member.save()
        await emit_pool(actor, "pool.updated", pool)
        _nudge_after_commit(pool)
    return member


async def remove_member(actor: Actor, pool_id: int, staff_id: int) -> Pool:
    """Drop a staff member's settings (they fall back to the pool's defaults)."""
    actor.require("pools:manage")
    pool = await get_scoped(actor, Pool, pool_id)
    async with atomic():
        await PoolMember.filter(pool_id=pool.id, staff_id=staff_id).delete()
        await emit_pool(actor, "pool.updated", pool)
        _nudge_after_commit(pool)
    return pool


async def department_ids(pool_id: int) -> list[int]:
    return list(
        await PoolDepartment.filter(pool_id=pool_id)
        .order_by("id")
        .values_list("department_id", flat=True)
    )


async def staff_may_use(pool_id: int, staff: Staff) -> bool:
    """Whether the staff member works in one of the pool's departments or below one."""
    if staff.department_id is None:
        return False
    dept = await Department.get_or_none(id=staff.department_id)
    if dept is None:
        return False
    chain = [int(i) for i in dept.path.strip("/").split("/") if i]
    return await PoolDepartment.filter(pool_id=pool_id, department_id__in=chain).exists()


async def members(pool: Pool) -> list[Staff]:
    """Active staff of the pool's departments and their subdepartments."""
    paths = await Department.filter(
        id__in=await department_ids(pool.id), tenant_id=pool.tenant_id
    ).values_list("path", flat=True)
    if not paths:
        return []
    below = Q(*(Q(path__startswith=path) for path in paths), join_type=Q.OR)
    dept_ids = await Department.filter(below, tenant_id=pool.tenant_id).values_list("id", flat=True)
    return list(
        await Staff.filter(
            tenant_id=pool.tenant_id, active=True, department_id__in=dept_ids
        ).order_by("id")
    )


async def member_settings(pool_id: int) -> dict[int, PoolMember]:
    return {m.staff_id: m for m in await PoolMember.filter(pool_id=pool_id)}


def cap_for(pool: Pool, member: PoolMember | None) -> int | None:
    """The holding cap of a staff member in a pool: their override, else the pool's."""
    if member is not None and member.holding_cap is not None:
        return member.holding_cap
    return pool.holding_cap


async def seats(pool: Pool) -> list[Seat]:
    """The pool's staff as assignment seats, with weights, caps and online hours."""
    settings_by_staff = await member_settings(pool.id)
    result = []
    for staff in await members(pool):
        member = settings_by_staff.get(staff.id)
        if member is not None and not member.auto_assign:
            continue
        result.append(
            Seat(
                staff_id=staff.id,
                weight=member.weight if member else 1,
                cap=cap_for(pool, member),
                online=online_windows(member.online) if member else (),
            )
        )
    return result


# -- auto-assignment of waiting leads ------------------------------------------------------


async def start_sweeping(pool: Pool) -> None:
    """Start the pool's auto-assignment workflow (unless it runs): leads wait in a pool
    that assigns automatically."""
    from workflows.pool_assign.starter import start_pool_assign

    await start_pool_assign(pool.tenant_id, pool.id)


def _sweep_after_commit(pool: Pool) -> None:
    async def start() -> None:
        if await Lead.filter(
            tenant_id=pool.tenant_id, pool_id=pool.id, owner_id=None, status__in=CLAIMABLE
        ).exists():
            await start_sweeping(pool)

    if pool.strategy != "manual" and not pool.archived:
        after_commit(start)


def _nudge_after_commit(pool: Pool) -> None:
    async def nudge() -> None:
        from workflows.pool_assign.starter import nudge_pool_assign

        await nudge_pool_assign(pool.tenant_id, pool.id)

    after_commit(nudge)


async def restart_sweeps() -> None:
    """Maintenance: pools that assign automatically and have leads waiting get their
    workflow (started again if Temporal was unreachable when the leads were left)."""
    pool_ids = (
        await Lead.filter(owner_id=None, status__in=CLAIMABLE, pool_id__isnull=False)
        .filter(
            pool_id__in=Subquery(
                Pool.filter(archived=False).exclude(strategy="manual").values("id")
            )
        )
        .distinct()
        .values_list("pool_id", flat=True)
    )
    for pool in await Pool.filter(id__in=list(pool_ids)):
        await start_sweeping(pool)


maintenance.register(restart_sweeps)
