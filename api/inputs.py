"""Helpers shared by the domains' mutation resolvers: optional global ids and the
`fields` object of custom field values."""

from __future__ import annotations

from typing import Any

from strawberry import relay

from api.errors import invalid
from api.relay import decode_id


def optional_id(value: relay.GlobalID | None, type_name: str) -> int | None:
    """The database id inside an optional global id of `type_name`."""
    return decode_id(value, type_name) if value is not None else None


def fields_object(value: Any) -> dict[str, Any] | None:
    """An input's `fields` (custom values keyed by field key), or VALIDATION_FAILED."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(("input", "fields"), "type", "fields is an object keyed by field key")
    return value
