"""The transactional outbox: `emit()` appends an event to the transaction of the change;
readers page through a tenant's events by id.

How the id stays a gap-free cursor: an event row is not inserted when `emit()` is called
but just before COMMIT (a `before_commit` hook of `atomic()`), after taking a per-tenant
transaction lock (`pg_advisory_xact_lock`), and the lock is held until the transaction
ends. So within a tenant, ids are handed out in commit order: when a reader sees event N,
every transaction that could still commit an event with an id below N has already ended.
A reader can therefore always take `id > last seen` and never pass an event that is still
in flight. The lock is held only across the insert and the COMMIT, never while the service
works, and it is the last lock a transaction takes, so it cannot deadlock with row locks.
(Rejected alternative: keep insert-time ids and read only below the oldest running
transaction, `pg_snapshot_xmin(pg_current_snapshot())` against an `xid8` column; that
keeps writers fully parallel, but the cursor becomes (xid, id) instead of the event id,
any long write transaction in the cluster stalls every reader, and delivery order would
not be id order.) SQLite has one writer at a time, so ids are in commit order there by
construction.

After commit the event wakes this process's subscribers and the matching webhook
endpoints; on PostgreSQL a `pg_notify` sent in the same transaction wakes the other API
processes (it is delivered only if the transaction commits).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import orjson
from tortoise import connections
from tortoise.expressions import Q, Subquery
from tortoise.functions import Max
from tortoise.queryset import QuerySet

from api.auth import Actor, DataScope
from api.db import after_commit, before_commit, in_atomic, scoped, tenant_scoped
from api.events import catalogue
from api.events.models import Event
from api.relay import decode_id, encode_id

NOTIFY_CHANNEL = "scrm_events"
# First key of the per-tenant advisory lock: "SCRM" in ASCII.
_LOCK_CLASS = 0x5343524D


async def emit(
    actor: Actor | None,
    type: str,
    entity: str,
    entity_id: int,
    payload: dict,
    *,
    tenant_id: int | None = None,
    changed: dict[str, tuple[Any, Any]] | None = None,
    schema_version: int | None = None,
) -> Event:
    """Append an event to the current `atomic()` transaction.

    `payload` is the entity's state after the change (JSON values; datetimes become ISO
    strings), `changed` maps each changed field to (before, after) for updates, and
    `schema_version` is the metadata version the record was validated against. The event
    is written only if the transaction commits; the returned row gets its `id` then.
    """
    if not in_atomic():
        raise RuntimeError("emit() outside atomic(): an event belongs to the change's transaction")
    catalogue.event_type(type)
    tenant = tenant_id if tenant_id is not None else actor.tenant_id if actor else None
    if tenant is None:
        raise ValueError("emit() needs an actor or a tenant_id")
    if actor is not None and actor.tenant_id != tenant:
        raise ValueError("emit() for another tenant than the actor's")
    event = Event(
        tenant_id=tenant,
        type=type,
        entity=entity,
        entity_id=entity_id,
        payload=_json(payload),
        changed=(
            None
            if changed is None
            else _json({k: {"before": b, "after": a} for k, (b, a) in changed.items()})
        ),
        actor=_actor_ref(actor),
        schema_version=schema_version,
    )
    before_commit(partial(_insert, event))
    after_commit(partial(_committed, event))
    return event


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The keys whose value differs, with (before, after): `changed=` for `emit()`."""
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _json(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))


def _actor_ref(actor: Actor | None) -> dict[str, Any]:
    if actor is None:
        return {"kind": "system", "id": None}
    if actor.api_key_id is not None:
        return {"kind": "apiKey", "id": actor.api_key_id}
    return {"kind": "staff", "id": actor.staff_id}


def is_postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def _insert(event: Event) -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query(
            "SELECT pg_advisory_xact_lock($1::int, $2::int), pg_notify($3, $4)",
            [_LOCK_CLASS, event.tenant_id & 0x7FFFFFFF, NOTIFY_CHANNEL, str(event.tenant_id)],
        )
    await event.save()


async def _committed(event: Event) -> None:
    from api.events import fanout
    from api.events.service import dispatch

    fanout.hub.publish(event.tenant_id)
    await dispatch.wake_matching_endpoints(event)


# -- reading -------------------------------------------------------------------------------


async def head(tenant_id: int) -> int:
    """The newest committed event id of the tenant (0 when none)."""
    row = await Event.filter(tenant_id=tenant_id).annotate(top=Max("id")).values("top")
    return (row[0]["top"] if row else None) or 0


def visible_events(actor: Actor, types: set[str]) -> QuerySet[Event]:
    """Events the actor may receive: of its tenant, of types its scopes cover, and below
    tenant level only about rows the actor may see now (the entity model's data scope)."""
    qs = tenant_scoped(actor, Event).filter(type__in=sorted(types & catalogue.receivable(actor)))
    if actor.data_scope is DataScope.TENANT:
        return qs
    reach = [
        Q(entity=spec.name, entity_id__in=Subquery(scoped(actor, spec.model).values("id")))
        for spec in catalogue.entities()
        if spec.model is not None
    ]
    return qs.filter(Q(*reach, join_type=Q.OR)) if reach else qs.filter(id__in=[])


def cursor_of(after: str | None) -> int | None:
    """The id inside an `after` value: an Event's global id."""
    return decode_id(after, "Event") if after else None


def envelope(event: Event) -> dict[str, Any]:
    """The event as integrators get it: the webhook body, shaped after Standard Webhooks
    (`type`, `timestamp`, `data`)."""
    spec = catalogue.entity(event.entity)
    actor = dict(event.actor)
    if actor.get("id") is not None:
        actor["id"] = encode_id("Staff" if actor["kind"] == "staff" else "ApiKey", actor["id"])
    return {
        "id": encode_id("Event", event.id),
        "type": event.type,
        "timestamp": event.created_at.isoformat(),
        "data": {
            "entity": event.entity,
            "entityId": encode_id(spec.node_type, event.entity_id) if spec else event.entity_id,
            "payload": event.payload,
            "changed": event.changed,
            "actor": actor,
            "schemaVersion": event.schema_version,
        },
    }
