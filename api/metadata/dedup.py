"""Dedup keys of unique custom fields (any entity), kept in `unique_value` whose unique
settles concurrent writes of the same key in the database."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from api.auth import Actor
from api.db import scoped
from api.errors import Conflict
from api.metadata.models import UniqueValue
from api.relay import encode_id
from schemas.compiler import CompiledFields


def unique_entries(compiled: CompiledFields, values: dict[str, Any]) -> dict[str, str]:
    """{field key: normalised value} of the unique fields that hold a value."""
    return {
        key: compiled.normalize_unique(key, values[key])
        for key in compiled.unique_keys
        if values.get(key) not in (None, "")
    }


async def claim(
    actor: Actor,
    entity: str,
    record_id: int,
    entries: dict[str, str],
    model: Any,
    type_name: str,
) -> None:
    """Insert the record's dedup keys; CONFLICT naming the field when one is taken.

    The existing record's id is told only when the caller may see that record."""
    for key, value in entries.items():
        try:
            async with in_transaction():  # a savepoint: the lookup below must still run
                await UniqueValue.create(
                    tenant_id=actor.tenant_id,
                    entity=entity,
                    field_key=key,
                    value=value,
                    record_id=record_id,
                )
        except IntegrityError as exc:
            holder = await UniqueValue.filter(
                tenant_id=actor.tenant_id, entity=entity, field_key=key, value=value
            ).first()
            extensions: dict[str, Any] = {"path": ["input", "fields", key], "field": key}
            if holder and await scoped(actor, model).filter(id=holder.record_id).exists():
                extensions["existingId"] = encode_id(type_name, holder.record_id)
            raise Conflict(f"Another record already has this {key}", **extensions) from exc


async def release(actor: Actor, entity: str, record_id: int, keys: list[str] | None = None) -> None:
    qs = UniqueValue.filter(tenant_id=actor.tenant_id, entity=entity, record_id=record_id)
    if keys is not None:
        qs = qs.filter(field_key__in=keys)
    await qs.delete()
