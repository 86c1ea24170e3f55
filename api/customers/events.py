"""Change events of customers: the catalogue entries (payload schemas) and emission
through the outbox, inside the write's transaction."""

from __future__ import annotations

from typing import Any

from api.auth import Actor
from api.customers.models import Customer
from api.events.catalogue import (
    GLOBAL_ID,
    NULLABLE_DATETIME,
    NULLABLE_GLOBAL_ID,
    NULLABLE_STRING,
    object_schema,
    register_entity,
    register_event_type,
)
from api.events.outbox import emit
from api.relay import encode_id, encode_optional_id

register_entity("customer", node_type="Customer", model=Customer)

_STATE = {
    "id": GLOBAL_ID,
    "name": {"type": "string"},
    "ownerId": NULLABLE_GLOBAL_ID,
    "source": {"type": "string"},
    "stageKey": NULLABLE_STRING,
    "fields": {"type": "object", "description": "Custom field values by key."},
    "schemaVersion": {"type": "integer", "description": "Field version validated against."},
    "updatedAt": NULLABLE_DATETIME,
}
_TAGS = {
    "type": "array",
    "items": object_schema("A tag.", {"id": {"type": "integer"}, "name": {"type": "string"}}),
}

EVENT_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "customer.created": ("A customer was created.", {}),
    "customer.updated": (
        "A customer's name, owner, source or custom fields changed; "
        "`changed` lists each key with before/after.",
        {},
    ),
    "customer.deleted": ("A customer was deleted; the payload is its last state.", {}),
    "customer.merged": (
        "Another record was merged into this customer.",
        {"mergedId": {"type": "integer"}, "moved": {"type": "object"}},
    ),
    "customer.stage_moved": ("A customer moved to another lifecycle stage.", {}),
    "customer.followed_up": (
        "A follow-up (call, visit, chat, note) was recorded.",
        {"followUp": {"type": "object"}},
    ),
    "tag.applied": ("Tags were applied to a customer.", {"tags": _TAGS}),
    "tag.removed": ("Tags were removed from a customer.", {"tags": _TAGS}),
}
for _name, (_description, _extra) in EVENT_TYPES.items():
    register_event_type(
        _name,
        _description,
        object_schema("The customer after the change.", {**_STATE, **_extra}),
        scope="customers:read",
    )


def customer_payload(customer: Customer) -> dict[str, Any]:
    """The customer's state after a change, as integrators receive it."""
    return {
        "id": encode_id("Customer", customer.id),
        "name": customer.name,
        "ownerId": encode_optional_id("Staff", customer.owner_id),
        "source": customer.source,
        "stageKey": customer.stage_key,
        "fields": customer.fields,
        "schemaVersion": customer.schema_version,
        "updatedAt": customer.updated_at.isoformat() if customer.updated_at else None,
    }


async def emit_customer(
    actor: Actor,
    type: str,
    customer: Customer,
    *,
    version: int | None,
    changed: dict[str, tuple[Any, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Append a customer event to the outbox (call inside the write's transaction)."""
    payload = {**customer_payload(customer), **(extra or {})}
    await emit(
        actor, type, "customer", customer.id, payload, changed=changed, schema_version=version
    )
