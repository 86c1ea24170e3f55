"""API keys for integrators: created with scopes (shown once), listed, revoked; each
change emits `apikey.created` / `apikey.revoked`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from api.auth import SCOPES, Actor, new_api_key
from api.db import atomic, get_scoped, scoped
from api.errors import FieldErrors
from api.events.outbox import emit
from api.org.events import api_key_state
from api.org.models import ApiKey


async def create_api_key(actor: Actor, name: str, scopes: Sequence[str]) -> tuple[ApiKey, str]:
    """A new key and its clear value, which is never stored nor shown again."""
    actor.require("apikeys:manage")
    errors = FieldErrors()
    name = name.strip()
    errors.check(0 < len(name) <= 200, ("name",), "length", "Name must be 1-200 characters")
    errors.check(bool(scopes), ("scopes",), "minItems", "Give at least one scope")
    for i, scope in enumerate(scopes):
        if scope not in SCOPES:
            errors.add(("scopes", i), "enum", f"Unknown scope {scope!r}")
        elif not actor.has_scope(scope):
            errors.add(("scopes", i), "grantable", f"You do not hold {scope!r} yourself")
    errors.raise_if_any()
    key, lookup, digest = new_api_key()
    async with atomic():
        row = await ApiKey.create(
            tenant_id=actor.tenant_id,
            name=name,
            lookup=lookup,
            digest=digest,
            scopes=sorted(set(scopes)),
            created_by_id=actor.staff_id,
        )
        await emit(actor, "apikey.created", "api_key", row.id, api_key_state(row))
    return row, key


async def revoke_api_key(actor: Actor, key_id: int) -> ApiKey:
    actor.require("apikeys:manage")
    row = await get_scoped(actor, ApiKey, key_id)
    if row.revoked_at is None:
        revoked_at = datetime.now(UTC)
        async with atomic():
            if await ApiKey.filter(id=row.id, revoked_at=None).update(revoked_at=revoked_at):
                row.revoked_at = revoked_at
                await emit(actor, "apikey.revoked", "api_key", row.id, api_key_state(row))
        row = await ApiKey.get(id=row.id)
    return row


def visible_api_keys(actor: Actor):
    actor.require("apikeys:manage")
    return scoped(actor, ApiKey)
