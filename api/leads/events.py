"""Change events of leads and pools: the catalogue entries (payload schemas) and emission
through the outbox, inside the write's transaction."""

from __future__ import annotations

from typing import Any

from api.auth import Actor
from api.events.catalogue import (
    GLOBAL_ID,
    NULLABLE_DATETIME,
    NULLABLE_GLOBAL_ID,
    object_schema,
    register_entity,
    register_event_type,
)
from api.events.outbox import emit
from api.leads.models import Lead, Pool
from api.relay import encode_id, encode_optional_id

register_entity("lead", node_type="Lead", model=Lead)
register_entity("pool", node_type="Pool", model=Pool)

_LEAD = {
    "id": GLOBAL_ID,
    "name": {"type": "string"},
    "source": {"type": "string", "description": "The channel the lead came from."},
    "status": {"enum": ["new", "valid", "invalid", "to_revisit", "converted"]},
    "poolId": NULLABLE_GLOBAL_ID,
    "ownerId": NULLABLE_GLOBAL_ID,
    "customerId": NULLABLE_GLOBAL_ID,
    "fields": {"type": "object", "description": "Custom field values by key."},
    "schemaVersion": {"type": "integer", "description": "Field version validated against."},
    "updatedAt": NULLABLE_DATETIME,
}
_REASON = {"reason": {"type": "string", "description": "Why, as given by the caller."}}

LEAD_EVENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "lead.created": ("A lead was created.", {}),
    "lead.updated": ("A lead's name, source or custom fields changed; see `changed`.", {}),
    "lead.deleted": ("A lead was deleted; the payload is its last state.", {}),
    "lead.claimed": ("A staff member claimed a lead from its pool.", {}),
    "lead.assigned": (
        "A lead was assigned to a staff member (by a manager or automatically).",
        {"how": {"enum": ["assign", "auto"]}},
    ),
    "lead.released": ("The holder gave a lead back to its pool.", _REASON),
    "lead.recycle_warning": (
        "The holder will lose the lead at `deadline` unless the recycle rule is met.",
        {"deadline": {"type": "string", "format": "date-time"}},
    ),
    "lead.recycled": (
        "A recycle rule took the lead back to a pool (its own or the rule's target).",
        {"rule": {"type": ["object", "null"]}},
    ),
    "lead.transferred": ("A lead moved to another pool.", {"fromPoolId": NULLABLE_GLOBAL_ID}),
    "lead.status_changed": (
        "A lead was marked valid, invalid or to revisit.",
        {"previousStatus": {"type": "string"}, **_REASON},
    ),
    "lead.followed_up": (
        "A follow-up, material sent or stage reached was recorded on a lead.",
        {"action": {"type": "object"}},
    ),
    "lead.converted": ("A lead was converted into a customer (`customerId`).", {}),
}
for _name, (_description, _extra) in LEAD_EVENTS.items():
    register_event_type(
        _name,
        _description,
        object_schema("The lead after the change.", {**_LEAD, **_extra}),
        scope="leads:read",
    )

_POOL = {
    "id": GLOBAL_ID,
    "name": {"type": "string"},
    "strategy": {"type": "string"},
    "holdingCap": {"type": ["integer", "null"]},
    "recycle": {"type": "object", "description": "The recycle policy document."},
}
for _name, _description in {
    "pool.created": "A pool was created.",
    "pool.updated": "A pool's settings, departments or members changed.",
    "pool.archived": "A pool was archived; its leads stay where they are.",
}.items():
    register_event_type(
        _name, _description, object_schema("The pool after the change.", _POOL), scope="leads:read"
    )


def lead_payload(lead: Lead) -> dict[str, Any]:
    """The lead's state after a change, as integrators receive it."""
    return {
        "id": encode_id("Lead", lead.id),
        "name": lead.name,
        "source": lead.source,
        "status": lead.status,
        "poolId": encode_optional_id("Pool", lead.pool_id),
        "ownerId": encode_optional_id("Staff", lead.owner_id),
        "customerId": encode_optional_id("Customer", lead.customer_id),
        "fields": lead.fields,
        "schemaVersion": lead.schema_version,
        "updatedAt": lead.updated_at.isoformat() if lead.updated_at else None,
    }


async def emit_lead(
    actor: Actor | None,
    type: str,
    lead: Lead,
    *,
    changed: dict[str, tuple[Any, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Append a lead event to the outbox (call inside the write's transaction)."""
    await emit(
        actor,
        type,
        "lead",
        lead.id,
        {**lead_payload(lead), **(extra or {})},
        tenant_id=lead.tenant_id,
        changed=changed,
        schema_version=lead.schema_version,
    )


async def emit_pool(actor: Actor, type: str, pool: Pool) -> None:
    payload = {
        "id": encode_id("Pool", pool.id),
        "name": pool.name,
        "strategy": pool.strategy,
        "holdingCap": pool.holding_cap,
        "recycle": pool.recycle,
    }
    await emit(actor, type, "pool", pool.id, payload)
