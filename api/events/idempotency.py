"""Idempotent mutations: a mutation whose `input` has an `idempotencyKey` runs at most
once per (tenant, key) within 24 hours.

`idempotent(Mutation)` (in `api/schema.py`) gives every mutation whose input type has an
`idempotency_key` field the `Idempotent` field extension, so a domain opts in by adding
that field to its inputs and nothing else. With a key, the mutation runs in one
transaction that first inserts the key row: the unique (tenant, key) constraint makes a
concurrent repeat wait for the first transaction and then find its row, so two repeats
never both execute. The row keeps the resolver's result (its payload object, encoded
field by field), and a repeat returns that first result and writes nothing. A repeat
with another input, by another caller or of another mutation is CONFLICT. A failed
mutation keeps no key, so it may be retried with the same key.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import strawberry
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from tortoise.exceptions import IntegrityError

from api.auth import Actor
from api.db import atomic
from api.errors import Conflict, invalid
from api.events.models import IdempotencyKey

TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 200


class Idempotent(FieldExtension):
    """Runs a mutation once per `input.idempotencyKey` (see the module docstring)."""

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        data = kwargs.get("input")
        key = getattr(data, "idempotency_key", None)
        if key is None:
            return await next_(source, info, **kwargs)
        return await run_once(
            info.context.actor, info.field_name, key, data, lambda: next_(source, info, **kwargs)
        )


def idempotent(root: type) -> type:
    """Give every mutation of `root` whose input has `idempotency_key` the extension.
    It goes first in the list, so the permission checks (last, outermost) run before it."""
    for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        argument = next((a for a in field.arguments if a.python_name == "input"), None)
        definition = getattr(argument.type, "__strawberry_definition__", None) if argument else None
        if definition is None or not any(
            f.python_name == "idempotency_key" for f in definition.fields
        ):
            continue
        if not any(isinstance(e, Idempotent) for e in field.extensions):
            field.extensions.insert(0, Idempotent())
    return root


async def run_once(
    actor: Actor, operation: str, key: str, data: Any, call: Callable[[], Awaitable[Any]]
) -> Any:
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise invalid(["input", "idempotencyKey"], "length", "1-200 characters")
    fingerprint = _fingerprint(operation, data)
    caller = f"apiKey:{actor.api_key_id}" if actor.api_key_id else f"staff:{actor.staff_id}"
    async with atomic():
        first = await _claim(actor.tenant_id, key, operation, caller, fingerprint)
        if first is not None:
            if (first.operation, first.caller, first.fingerprint) != (
                operation,
                caller,
                fingerprint,
            ):
                raise Conflict(
                    "This idempotency key was used for a different request",
                    path=["input", "idempotencyKey"],
                )
            return decode(first.result)
        result = await call()
        await IdempotencyKey.filter(tenant_id=actor.tenant_id, key=key).update(
            result=encode(result)
        )
        return result


async def _claim(
    tenant_id: int, key: str, operation: str, caller: str, fingerprint: str
) -> IdempotencyKey | None:
    """Insert the key row (None), or return the live row of an earlier request."""
    for _ in range(3):
        try:
            async with atomic():  # a savepoint: a duplicate must not abort the transaction
                await IdempotencyKey.create(
                    tenant_id=tenant_id,
                    key=key,
                    operation=operation,
                    caller=caller,
                    fingerprint=fingerprint,
                )
            return None
        except IntegrityError:
            row = await IdempotencyKey.get_or_none(tenant_id=tenant_id, key=key)
            if row is None:
                continue  # the first request failed and took its key along; go again
            if row.created_at > datetime.now(UTC) - TTL:
                return row
            await IdempotencyKey.filter(id=row.id).delete()  # expired: the key is free
    raise Conflict("This idempotency key is busy; retry", path=["input", "idempotencyKey"])


async def purge_expired() -> int:
    """Delete keys older than 24 hours; how many."""
    return await IdempotencyKey.filter(created_at__lt=datetime.now(UTC) - TTL).delete()


def _fingerprint(operation: str, data: Any) -> str:
    plain = _plain(data)
    if isinstance(plain, dict):
        plain.pop("idempotency_key", None)
    raw = orjson.dumps([operation, plain], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(raw).hexdigest()


def _plain(value: Any) -> Any:
    if value is strawberry.UNSET:
        return {"$unset": True}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # GlobalID and other scalars print as they are sent


# -- the stored result: strawberry objects encoded field by field ----------------------------


def _path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    if not module.startswith("api."):
        raise ValueError(f"refusing to load {path!r}")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def encode(value: Any) -> Any:
    """A JSON form of a resolver result (dataclasses, enums, datetimes, lists, scalars)."""
    if isinstance(value, enum.Enum):
        return {"$enum": _path(type(value)), "v": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$map": {k: encode(v) for k, v in value.items()}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init and not callable(getattr(value, f.name))  # resolvers are not data
        }
        return {"$type": _path(type(value)), "f": fields}
    if isinstance(value, relay.GlobalID):
        return {"$gid": str(value)}
    raise TypeError(f"cannot keep a {type(value).__name__} as an idempotent result")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$type" in value:
        return _load(value["$type"])(**{k: decode(v) for k, v in value["f"].items()})
    if "$enum" in value:
        return _load(value["$enum"])(value["v"])
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$gid" in value:
        return relay.GlobalID.from_id(value["$gid"])
    return {k: decode(v) for k, v in value["$map"].items()}
