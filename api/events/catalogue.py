"""The event catalogue: every event type with its description, the JSON Schema of its
payload and the scope a caller needs to receive it; and every entity that events are
about, with how its events follow the data scope.

A domain declares its events in its own module, `api/<domain>/events.py`, at import
time, and imports that module from the service that emits them::

    register_entity("customer", node_type="Customer", model=Customer)
    register_event_type("customer.created", "A customer was created.", CUSTOMER_SCHEMA,
                        scope="customers:read")

`emit()` refuses types that are not registered, and `eventTypes` lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from tortoise.models import Model

from api.auth import Actor

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")


@dataclass(frozen=True)
class EventType:
    """One kind of event: `customer.created`, `staff.disabled`, ..."""

    name: str
    description: str
    payload_schema: dict[str, Any]
    scope: str

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class Entity:
    """What events are about: the GraphQL Node type of its ids, and the tortoise model
    whose data scope (`api.db.scoped`) decides who below tenant level sees its events."""

    name: str
    node_type: str
    model: type[Model] | None = None


_types: dict[str, EventType] = {}
_entities: dict[str, Entity] = {}


def register_event_type(
    name: str, description: str, payload_schema: dict[str, Any], scope: str = "customers:read"
) -> EventType:
    """Declare an event type. Registering the same definition twice is harmless; a
    different definition under an existing name is an error."""
    if not _NAME.match(name):
        raise ValueError(f"event type {name!r}: use dotted lower-case words, e.g. customer.created")
    if not description.strip():
        raise ValueError(f"event type {name!r} needs a description")
    Draft202012Validator.check_schema(payload_schema)
    spec = EventType(name, description.strip(), payload_schema, scope)
    existing = _types.get(name)
    if existing is not None and existing != spec:
        raise ValueError(f"event type {name!r} is already registered differently")
    _types[name] = spec
    _validator.cache_clear()
    return spec


def register_entity(name: str, *, node_type: str, model: type[Model] | None = None) -> Entity:
    """Declare an entity events are about. A caller below tenant level sees its events
    when it may see the entity's row (`scoped(actor, model)`); without a model, only
    callers who see the whole tenant do."""
    entity = Entity(name, node_type, model)
    _entities[name] = entity
    return entity


def event_type(name: str) -> EventType:
    try:
        return _types[name]
    except KeyError:
        raise ValueError(f"unknown event type {name!r}; register it first") from None


def event_types() -> list[EventType]:
    return [_types[n] for n in sorted(_types)]


def entity(name: str) -> Entity | None:
    return _entities.get(name)


def entities() -> list[Entity]:
    return [_entities[n] for n in sorted(_entities)]


def is_pattern(value: str) -> bool:
    return value.endswith("*")


def valid_pattern(value: str) -> bool:
    """A type name, a prefix pattern (`customer.*`) or `*`."""
    return bool(_PATTERN.match(value))


def matches(pattern: str, name: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return name.startswith(pattern[:-1])
    return pattern == name


def matching(patterns: Iterable[str]) -> set[str]:
    """Registered type names matched by any of `patterns`."""
    patterns = list(patterns)
    return {name for name in _types if any(matches(p, name) for p in patterns)}


def receivable(actor: Actor) -> set[str]:
    """Type names whose scope the actor holds (API key scopes cover event types)."""
    return {t.name for t in _types.values() if actor.has_scope(t.scope)}


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(event_type(name).payload_schema)


def payload_errors(name: str, payload: Any) -> list[str]:
    """Every way `payload` breaks its type's schema (empty when it is valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in _validator(name).iter_errors(payload)
    ]


# -- schema helpers for payloads -----------------------------------------------------------

NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
GLOBAL_ID = {"type": "string", "description": "A global id, usable with `node(id:)`."}
NULLABLE_GLOBAL_ID = {"type": ["string", "null"], "description": "A global id, or null."}


def object_schema(
    description: str, properties: dict[str, Any], *, closed: bool = True
) -> dict[str, Any]:
    """A JSON Schema object requiring every listed property."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "description": description,
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": not closed,
    }
