"""Staff members: create, update, disable/enable, each with its event in the same
transaction (`staff.created`, ...). Creating one starts the welcome workflow after the
transaction commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from api import maintenance
from api.auth import Actor, Role, hash_password
from api.db import after_commit, atomic, get_scoped, scoped, tenant_scoped
from api.errors import Conflict, FieldErrors, NotFound
from api.events.outbox import diff, emit
from api.org.events import staff_state
from api.org.models import Department, Staff
from schemas.formats import is_email, is_phone, normalize_email, normalize_phone

MIN_PASSWORD_LENGTH = 10


@dataclass
class StaffChanges:
    """Values for creating or updating a staff member; None leaves a value unchanged."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    password: str | None = None
    roles: Sequence[Role] | None = None
    department_id: int | None = None
    set_department: bool = False


async def _department(actor: Actor, dept_id: int | None) -> Department | None:
    if dept_id is None:
        return None
    dept = await tenant_scoped(actor, Department).get_or_none(id=dept_id)
    if dept is None:
        raise NotFound("No such department", path=["input", "departmentId"])
    return dept


def _validate(changes: StaffChanges, *, creating: bool) -> None:
    errors = FieldErrors()
    if changes.name is not None or creating:
        name = (changes.name or "").strip()
        errors.check(0 < len(name) <= 200, ("name",), "length", "Name must be 1-200 characters")
        changes.name = name
    if changes.email is not None or creating:
        email = normalize_email(changes.email or "")
        errors.check(is_email(email), ("email",), "format", "Not a valid email address")
        changes.email = email
    if changes.phone:
        errors.check(is_phone(changes.phone), ("phone",), "format", "Not a valid phone number")
        changes.phone = normalize_phone(changes.phone)
    if changes.password is not None or creating:
        errors.check(
            len(changes.password or "") >= MIN_PASSWORD_LENGTH,
            ("password",),
            "minLength",
            f"Password must have at least {MIN_PASSWORD_LENGTH} characters",
        )
    if changes.roles is not None or creating:
        errors.check(bool(changes.roles), ("roles",), "minItems", "Give at least one role")
    errors.raise_if_any()


async def create_staff(actor: Actor, changes: StaffChanges) -> Staff:
    actor.require("org:write")
    dept = await _department(actor, changes.department_id)
    _validate(changes, creating=True)
    try:
        async with atomic():
            staff = await Staff.create(
                tenant_id=actor.tenant_id,
                department=dept,
                name=changes.name,
                email=changes.email,
                phone=changes.phone or None,
                password_hash=hash_password(changes.password or ""),
                roles=sorted({r.value for r in changes.roles or ()}),
            )
            await emit(actor, "staff.created", "staff", staff.id, staff_state(staff))
            after_commit(lambda: _start_welcome(staff))
    except IntegrityError as exc:
        raise Conflict("A staff member with this email exists", path=["input", "email"]) from exc
    return staff


async def _start_welcome(staff: Staff) -> None:
    # Imported here: the workflow client is only needed once a staff member is created.
    from workflows.welcome.starter import start_welcome

    await start_welcome(staff.tenant_id, staff.id)


async def welcome_the_unwelcomed(days: int = 7) -> None:
    """Start the welcome workflow for recent staff who have no welcome yet: its start
    after commit is lost when Temporal was unreachable at that moment. Idempotent: the
    workflow id is the staff member's and the notification is written once."""
    from datetime import UTC, datetime, timedelta

    from tortoise.expressions import Subquery

    from api.org.models import Notification

    welcomed = Notification.filter(dedup_key="welcome").values("staff_id")
    since = datetime.now(UTC) - timedelta(days=days)
    for staff in await Staff.filter(created_at__gte=since, active=True).exclude(
        id__in=Subquery(welcomed)
    ):
        await _start_welcome(staff)


maintenance.register(welcome_the_unwelcomed)


async def update_staff(actor: Actor, staff_id: int, changes: StaffChanges) -> Staff:
    actor.require("org:write")
    staff = await get_scoped(actor, Staff, staff_id)
    before = staff_state(staff)
    dept = await _department(actor, changes.department_id) if changes.set_department else None
    _validate(changes, creating=False)
    for attr in ("name", "email", "phone"):
        value = getattr(changes, attr)
        if value is not None:
            setattr(staff, attr, value or None if attr == "phone" else value)
    if changes.password is not None:
        staff.password_hash = hash_password(changes.password)
    if changes.roles is not None:
        staff.roles = sorted({r.value for r in changes.roles})
    if changes.set_department:
        staff.department = dept
    try:
        async with atomic():
            await staff.save()
            after = staff_state(staff)
            changed = {k: v for k, v in diff(before, after).items() if k != "updatedAt"}
            await emit(actor, "staff.updated", "staff", staff.id, after, changed=changed)
    except IntegrityError as exc:
        raise Conflict("A staff member with this email exists", path=["input", "email"]) from exc
    return staff


async def set_staff_active(actor: Actor, staff_id: int, active: bool) -> Staff:
    """Disable or re-enable a staff member; a disabled one's tokens stop working at once."""
    actor.require("org:write")
    staff = await get_scoped(actor, Staff, staff_id)
    if not active and staff.id == actor.staff_id:
        errors = FieldErrors()
        errors.add(("id",), "notSelf", "You cannot disable yourself")
        errors.raise_if_any()
    async with atomic():
        if await Staff.filter(id=staff.id, active=not active).update(active=active):
            staff = await Staff.get(id=staff.id)
            kind = "staff.enabled" if active else "staff.disabled"
            await emit(actor, kind, "staff", staff.id, staff_state(staff))
    staff.active = active
    return staff


def visible_staff(actor: Actor):
    """Staff the actor may list: itself, its department subtree, or the tenant."""
    return scoped(actor, Staff)
