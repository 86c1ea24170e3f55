"""Tables of the organisation domain: tenants, departments, staff, API keys, login
throttling and staff notifications."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from api.db import ScopeRule


class Tenant(Model):
    """One customer company of the SCRM. Everything else belongs to exactly one."""

    id = fields.BigIntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = ScopeRule(tenant="id")

    class Meta:
        table = "tenant"


class Department(Model):
    """A node of a tenant's department tree. `path` is the chain of ids from the root,
    e.g. "/1/4/9/", so a subtree is one indexed prefix query."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    parent = fields.ForeignKeyField(
        "scrm.Department", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    path = fields.CharField(max_length=1000, default="/")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = ScopeRule(department="id")

    class Meta:
        table = "department"
        indexes = (("tenant_id", "path"),)
        unique_together = (("tenant_id", "parent_id", "name"),)


class Staff(Model):
    """An employee of a tenant who uses the product."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    department = fields.ForeignKeyField(
        "scrm.Department", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254)
    phone = fields.CharField(max_length=32, null=True)
    password_hash = fields.CharField(max_length=200, null=True)
    roles = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    scope = ScopeRule(owner="id", department="department_id")

    class Meta:
        table = "staff"
        unique_together = (("tenant_id", "email"),)
        indexes = (("tenant_id", "department_id"), ("tenant_id", "name"))


class ApiKey(Model):
    """A credential for integrators. Only a digest of the key is kept."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    lookup = fields.CharField(max_length=32, unique=True)
    digest = fields.CharField(max_length=64)
    scopes = fields.JSONField(default=list)
    created_by = fields.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    scope = ScopeRule()

    class Meta:
        table = "api_key"
        indexes = (("tenant_id", "created_at"),)


class LoginAttempt(Model):
    """A login attempt not yet known to have succeeded, counted to slow brute force.

    Keyed by account ("acct:<tenant>:<email>") and by client address ("ip:<addr>").
    """

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=300)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "login_attempt"
        indexes = (("key", "created_at"),)


class Notification(Model):
    """A message for one staff member (welcome, warnings, assignments...)."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=fields.CASCADE)
    staff = fields.ForeignKeyField("scrm.Staff", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=64)
    title = fields.CharField(max_length=200)
    body = fields.TextField(default="")
    # Makes a notification idempotent, e.g. "welcome" for the welcome workflow.
    dedup_key = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    scope = ScopeRule(owner="staff_id", personal=True)

    class Meta:
        table = "notification"
        unique_together = (("staff_id", "dedup_key"),)
        indexes = (("tenant_id", "staff_id", "created_at"),)
