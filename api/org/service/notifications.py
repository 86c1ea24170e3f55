"""Notifications for staff: written by workflows (welcome, warnings), read by their owner."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from api.auth import Actor
from api.db import scoped
from api.errors import NotFound
from api.org.models import Notification, Staff, Tenant


async def notify(
    tenant_id: int, staff_id: int, *, kind: str, title: str, body: str, dedup_key: str
) -> Notification:
    """Create a notification once per (staff, dedup_key); a repeat returns the first one,
    so activities that write notifications can be retried safely."""
    existing = await Notification.get_or_none(staff_id=staff_id, dedup_key=dedup_key)
    if existing is not None:
        return existing
    try:
        return await Notification.create(
            tenant_id=tenant_id,
            staff_id=staff_id,
            kind=kind,
            title=title,
            body=body,
            dedup_key=dedup_key,
        )
    except IntegrityError:
        return await Notification.get(staff_id=staff_id, dedup_key=dedup_key)


async def send_welcome(tenant_id: int, staff_id: int) -> Notification | None:
    """The welcome note for a new staff member (None if they no longer exist)."""
    staff = await Staff.get_or_none(id=staff_id, tenant_id=tenant_id)
    if staff is None:
        return None
    tenant = await Tenant.get(id=tenant_id)
    return await notify(
        tenant_id,
        staff_id,
        kind="welcome",
        title=f"Welcome to {tenant.name}",
        body=f"Hello {staff.name}, your account is ready. Sign in with {staff.email}.",
        dedup_key="welcome",
    )


def my_notifications(actor: Actor):
    """The actor's own notifications (personal: admins too see only their own)."""
    return scoped(actor, Notification)


async def mark_read(actor: Actor, notification_id: int) -> Notification:
    row = await my_notifications(actor).get_or_none(id=notification_id)
    if row is None:
        raise NotFound("No Notification with this id")
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await Notification.filter(id=row.id, read_at=None).update(read_at=row.read_at)
    return row
