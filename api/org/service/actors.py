"""Turning credentials into an `Actor`: access tokens, API keys, and password login with
brute-force throttling (settled in the database, per account and per client address)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import settings
from api.auth import (
    Actor,
    Role,
    api_key_digest,
    issue_access_token,
    parse_api_key,
    read_access_token,
    scopes_for_roles,
    verify_password,
)
from api.errors import RateLimited, Unauthenticated
from api.org.models import ApiKey, Department, LoginAttempt, Staff, Tenant
from schemas.formats import normalize_email


async def actor_for_staff(staff: Staff) -> Actor:
    """The Actor of an active staff member, with their department subtree."""
    roles = frozenset(Role(r) for r in staff.roles if r in Role._value2member_map_)
    subtree: frozenset[int] = frozenset()
    chain: frozenset[int] = frozenset()
    if staff.department_id is not None:
        dept = await Department.get(id=staff.department_id)
        ids = await Department.filter(
            tenant_id=staff.tenant_id, path__startswith=dept.path
        ).values_list("id", flat=True)
        subtree = frozenset(ids)
        chain = frozenset(int(i) for i in dept.path.strip("/").split("/") if i)
    return Actor(
        tenant_id=staff.tenant_id,
        staff_id=staff.id,
        roles=roles,
        department_id=staff.department_id,
        department_ids=subtree,
        department_chain=chain,
        scopes=scopes_for_roles(roles),
    )


async def actor_for_bearer(token: str) -> Actor:
    """The Actor behind an `Authorization: Bearer` value (access token or API key)."""
    lookup = parse_api_key(token)
    if lookup is not None:
        return await _actor_for_api_key(token, lookup)
    tenant_id, staff_id = read_access_token(token)
    staff = await Staff.get_or_none(id=staff_id, tenant_id=tenant_id)
    if staff is None or not staff.active:
        raise Unauthenticated("This account is disabled or no longer exists")
    return await actor_for_staff(staff)


async def _actor_for_api_key(key: str, lookup: str) -> Actor:
    row = await ApiKey.get_or_none(lookup=lookup)
    if row is None or row.revoked_at is not None or row.digest != api_key_digest(key):
        raise Unauthenticated("Invalid or revoked API key")
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        await ApiKey.filter(id=row.id).update(last_used_at=now)
    return Actor(tenant_id=row.tenant_id, scopes=frozenset(row.scopes), api_key_id=row.id)


async def login(
    tenant_slug: str, email: str, password: str, client_ip: str
) -> tuple[str, datetime, Staff]:
    """Check a staff member's password and issue an access token.

    Each attempt is recorded *before* the password is checked and counted afterwards, so
    concurrent guesses cannot all slip under the limit; a success clears the account's
    record. Wrong tenant, unknown email, wrong password and disabled account give the
    same answer.
    """
    email = normalize_email(email)
    account_key = f"acct:{tenant_slug.strip().lower()}:{email}"
    ip_key = f"ip:{client_ip}"
    since = datetime.now(UTC) - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    await LoginAttempt.create(key=account_key)
    ip_attempt = await LoginAttempt.create(key=ip_key)
    for key, limit in (
        (account_key, settings.LOGIN_MAX_FAILURES_PER_ACCOUNT),
        (ip_key, settings.LOGIN_MAX_FAILURES_PER_IP),
    ):
        if await LoginAttempt.filter(key=key, created_at__gte=since).count() > limit:
            raise RateLimited(
                "Too many sign-in attempts; wait and try again",
                settings.LOGIN_FAILURE_WINDOW_SECONDS,
            )
    staff = await Staff.filter(tenant__slug=tenant_slug.strip().lower(), email=email).first()
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.active:
        raise Unauthenticated("Wrong tenant, email or password, or the account is disabled")
    await LoginAttempt.filter(key=account_key).delete()
    await LoginAttempt.filter(id=ip_attempt.id).delete()
    token, expires_at = issue_access_token(staff.tenant_id, staff.id)
    return token, expires_at, staff


async def tenant_of(actor: Actor) -> Tenant:
    return await Tenant.get(id=actor.tenant_id)
