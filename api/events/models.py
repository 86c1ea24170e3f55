"""Tables of the events domain: the outbox (`Event`), webhook endpoints with their
deliveries and attempts, and idempotency keys of mutations."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from api.db import ScopeRule


class Event(Model):
    """One change, written in the transaction that made it (transactional outbox).

    `id` is the cursor integrators resume from: within a tenant, ids are allocated at
    commit under a per-tenant lock (see `api.events.outbox`), so a reader that has seen
    id N will never later see a committed event of that tenant with an id below N.
    Below tenant level, an event is visible to whoever may see its entity's row now
    (`api.events.outbox.visible_events`), so events follow the data scope exactly.
    """

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    type = fields.CharField(max_length=100)
    entity = fields.CharField(max_length=64)
    entity_id = fields.BigIntField()
    payload = fields.JSONField()
    # {field: {"before": ..., "after": ...}} for updates; null otherwise.
    changed = fields.JSONField(null=True)
    # {"kind": "staff" | "apiKey" | "system", "id": <int or null>}
    actor = fields.JSONField()
    schema_version = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = ScopeRule()

    class Meta:
        table = "event"
        indexes = (
            ("tenant_id", "id"),
            ("tenant_id", "type", "id"),
            ("tenant_id", "entity", "entity_id", "id"),
            ("tenant_id", "created_at"),
        )


class WebhookEndpoint(Model):
    """A URL of an integrator that receives the tenant's events, signed with `secret`
    (Standard Webhooks). `cursor` is the last event id already queued for it."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=500, default="")
    # Event type names or patterns (`customer.*`, `*`).
    event_types = fields.JSONField(default=list)
    # Only update events that changed one of these fields (empty: every event).
    changed_fields = fields.JSONField(default=list)
    secret = fields.CharField(max_length=100)
    # Still signed with during a rotation, until `previous_secret_expires_at`.
    previous_secret = fields.CharField(max_length=100, null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    enabled = fields.BooleanField(default=True)
    disabled_reason = fields.CharField(max_length=500, null=True)
    cursor = fields.BigIntField(default=0)
    last_success_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = ScopeRule()

    class Meta:
        table = "webhook_endpoint"
        indexes = (("tenant_id", "enabled"),)


class WebhookDelivery(Model):
    """One event to send to one endpoint (`replay_no` > 0 for manual replays).

    status: pending -> succeeded, or failed (dead letter, with the last error).
    """

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    endpoint = fields.ForeignKeyField(
        "scrm.WebhookEndpoint", related_name=False, on_delete=fields.CASCADE
    )
    event = fields.ForeignKeyField("scrm.Event", related_name=False, on_delete=fields.CASCADE)
    replay_no = fields.IntField(default=0)
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    last_status_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    first_attempt_at = fields.DatetimeField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = ScopeRule()

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint_id", "event_id", "replay_no"),)
        indexes = (("tenant_id", "endpoint_id", "status", "id"),)


class WebhookAttempt(Model):
    """One HTTP request of a delivery: what the receiver answered, and how fast."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    delivery = fields.ForeignKeyField(
        "scrm.WebhookDelivery", related_name=False, on_delete=fields.CASCADE
    )
    number = fields.IntField()
    status_code = fields.IntField(null=True)
    latency_ms = fields.IntField()
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = ScopeRule()

    class Meta:
        table = "webhook_attempt"
        indexes = (("tenant_id", "delivery_id", "number"),)


class IdempotencyKey(Model):
    """The first result of a mutation sent with an `idempotencyKey`, for 24 hours.

    The unique (tenant, key) constraint is what stops two concurrent repeats from both
    running: the second insert waits for the first transaction and then fails.
    """

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    key = fields.CharField(max_length=200)
    operation = fields.CharField(max_length=100)
    # "staff:<id>" or "apiKey:<id>": a key is only ever its first caller's.
    caller = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)
    result = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("tenant_id", "key"),)
        indexes = (("tenant_id", "created_at"),)
