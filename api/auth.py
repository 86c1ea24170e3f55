"""Who is calling: roles, scopes, the per-request `Actor`, and the credentials behind it.

Passwords are argon2-hashed; access tokens are short-lived HS256 JWTs; API keys are
random, shown once, and stored only as a SHA-256 digest (they carry 256 bits of
entropy, so a slow hash buys nothing). Loading an Actor from the database lives in
`api.org.service`; permission classes for the schema live in `api.permissions`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

import settings
from api.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    """Staff roles. Data scope follows the widest role a staff member holds."""

    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    INSPECTOR = "inspector"
    AGENT = "agent"


class DataScope(StrEnum):
    """How far an actor's reads and writes reach inside the tenant."""

    TENANT = "tenant"
    DEPARTMENT = "department"  # the actor's department subtree (and their own rows)
    OWN = "own"  # rows the actor owns


# Every scope a credential can hold, with what it allows. Domains add theirs here.
SCOPES: dict[str, str] = {
    "org:read": "Read tenant, departments and staff.",
    "org:write": "Create, update and disable departments and staff.",
    "apikeys:manage": "Create and revoke API keys.",
    "customers:read": "Read customers, their tags, timeline and follow-ups.",
    "customers:write": "Create, change, tag, merge and delete customers.",
    "tags:manage": "Manage tag groups and tags.",
    "metadata:manage": "Design custom fields and lifecycle stages; publish and migrate.",
    "leads:read": "Read pools, leads, their timeline and the lead funnel.",
    "leads:write": "Create and edit leads; claim, release, follow up, mark and convert them.",
    "leads:assign": "Assign leads to others, auto-assign a batch, transfer between pools.",
    "pools:manage": "Create, change and archive pools: departments, members, caps, rules.",
    "events:read": "Read and subscribe to change events (of the types the other scopes cover).",
    "webhooks:manage": "Register webhook endpoints, rotate their secrets, replay events.",
}

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(SCOPES),
    Role.MANAGER: frozenset(
        {"org:read", "customers:read", "customers:write", "events:read"}
        | {"leads:read", "leads:write", "leads:assign"}
    ),
    Role.STAFF: frozenset(
        {"org:read", "customers:read", "customers:write", "events:read"}
        | {"leads:read", "leads:write"}
    ),
    Role.INSPECTOR: frozenset({"org:read", "customers:read", "events:read", "leads:read"}),
    Role.AGENT: frozenset({"org:read", "customers:read", "customers:write", "events:read"}),
}

ROLE_DATA_SCOPE: dict[Role, DataScope] = {
    Role.ADMIN: DataScope.TENANT,
    Role.INSPECTOR: DataScope.TENANT,  # inspectors audit the whole tenant, read-only
    Role.MANAGER: DataScope.DEPARTMENT,
    Role.STAFF: DataScope.OWN,
    Role.AGENT: DataScope.OWN,
}
_SCOPE_WIDTH = [DataScope.OWN, DataScope.DEPARTMENT, DataScope.TENANT]


@dataclass(frozen=True)
class Actor:
    """The caller of one request, built once per request and passed to every service."""

    tenant_id: int
    staff_id: int | None = None
    roles: frozenset[Role] = frozenset()
    department_id: int | None = None
    # The actor's department and every department below it.
    department_ids: frozenset[int] = frozenset()
    # The actor's department and every department above it (for rows bound to
    # departments "and their subdepartments", like pools).
    department_chain: frozenset[int] = frozenset()
    scopes: frozenset[str] = frozenset()
    api_key_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def data_scope(self) -> DataScope:
        if self.api_key_id is not None:
            return DataScope.TENANT  # keys are limited by scopes, not by rows
        widths = [_SCOPE_WIDTH.index(ROLE_DATA_SCOPE[r]) for r in self.roles]
        return _SCOPE_WIDTH[max(widths, default=0)]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def require(self, scope: str) -> None:
        """FORBIDDEN unless the actor holds `scope`."""
        if scope not in self.scopes:
            raise Forbidden(f"Requires the {scope} permission")


def scopes_for_roles(roles: frozenset[Role]) -> frozenset[str]:
    result: frozenset[str] = frozenset()
    for role in roles:
        result |= ROLE_SCOPES[role]
    return result


# -- passwords ---------------------------------------------------------------------------

_hasher = PasswordHasher(
    time_cost=settings.PASSWORD_HASH_TIME_COST,
    memory_cost=settings.PASSWORD_HASH_MEMORY_KIB,
    parallelism=1,
)
# Verified against when the account does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


# -- access tokens -----------------------------------------------------------------------

_ALGORITHM = "HS256"


def issue_access_token(
    tenant_id: int, staff_id: int, ttl_seconds: int | None = None
) -> tuple[str, datetime]:
    """A signed access token for a staff member and its expiry time."""
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=ttl_seconds or settings.ACCESS_TOKEN_TTL_SECONDS)
    claims = {
        "sub": str(staff_id),
        "tid": tenant_id,
        "iat": now,
        "exp": expires_at,
        "typ": "access",
    }
    token = jwt.encode(claims, str(settings.SECRET_KEY), algorithm=_ALGORITHM)
    return token, expires_at


def read_access_token(token: str) -> tuple[int, int]:
    """(tenant_id, staff_id) of a valid token; UNAUTHENTICATED otherwise."""
    try:
        claims = jwt.decode(
            token,
            str(settings.SECRET_KEY),
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub", "tid"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("Access token expired; log in again") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("Invalid access token") from exc
    if claims.get("typ") != "access":
        raise Unauthenticated("Invalid access token")
    return int(claims["tid"]), int(claims["sub"])


# -- API keys ----------------------------------------------------------------------------

API_KEY_PREFIX = "scrm_"


def new_api_key() -> tuple[str, str, str]:
    """A fresh key as (full key shown once, lookup prefix, digest to store)."""
    lookup = secrets.token_hex(6)
    key = f"{API_KEY_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
    return key, lookup, api_key_digest(key)


def parse_api_key(key: str) -> str | None:
    """The lookup prefix of something shaped like one of our keys, else None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    lookup, _, secret = key[len(API_KEY_PREFIX) :].partition("_")
    return lookup if lookup and secret else None


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
