"""Tables of the customers domain: customers, followers, tags, follow-ups, timeline and
lifecycle stage templates."""

from __future__ import annotations

# `f`, not `fields`: extensible entities have a column named `fields`.
from tortoise import fields as f
from tortoise.models import Model

from api.db import ScopeRule


class Customer(Model):
    """A customer of the tenant. Custom field values live in `fields`, valid against
    published customer field version `schema_version`."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    name = f.CharField(max_length=200)
    owner = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    source = f.CharField(max_length=64, default="manual")
    fields = f.JSONField(default=dict)
    schema_version = f.IntField(default=0)
    stage_template = f.ForeignKeyField(
        "scrm.LifecycleTemplate", related_name=False, null=True, on_delete=f.SET_NULL
    )
    stage_key = f.CharField(max_length=64, null=True)
    merged_into_id = f.BigIntField(null=True)
    created_by = f.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL
    )
    updated_by = f.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL
    )
    created_at = f.DatetimeField(auto_now_add=True)
    updated_at = f.DatetimeField(auto_now=True)

    scope = ScopeRule(
        owner="owner_id", shared_via=("scrm.CustomerFollower", "customer_id", "staff_id")
    )

    class Meta:
        table = "customer"
        indexes = (
            ("tenant_id", "owner_id"),
            # the default order of `customers`: newest first, id breaking ties
            ("tenant_id", "created_at", "id"),
            ("tenant_id", "name"),
            ("tenant_id", "stage_key"),
        )


class CustomerFollower(Model):
    """A staff member following a customer (e.g. a WeCom friend of theirs)."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    customer = f.ForeignKeyField("scrm.Customer", related_name=False, on_delete=f.CASCADE)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, on_delete=f.CASCADE)
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()  # reached through a customer that passed the data scope

    class Meta:
        table = "customer_follower"
        unique_together = (("customer_id", "staff_id"),)
        indexes = (("tenant_id", "staff_id"),)


class TagGroup(Model):
    """A group of tags, for customers or for chat groups, usable by staff of
    `department_ids` (and their subdepartments); empty means everyone."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    name = f.CharField(max_length=100)
    target = f.CharField(max_length=16, default="customer")  # customer | group
    department_ids = f.JSONField(default=list)
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()

    class Meta:
        table = "tag_group"
        unique_together = (("tenant_id", "target", "name"),)


class Tag(Model):
    """A tag in a tag group."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    group = f.ForeignKeyField("scrm.TagGroup", related_name=False, on_delete=f.CASCADE)
    name = f.CharField(max_length=100)
    order = f.IntField(default=0)
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()

    class Meta:
        table = "tag"
        unique_together = (("group_id", "name"),)


class CustomerTag(Model):
    """A tag applied to a customer."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    customer = f.ForeignKeyField("scrm.Customer", related_name=False, on_delete=f.CASCADE)
    tag = f.ForeignKeyField("scrm.Tag", related_name=False, on_delete=f.CASCADE)
    created_by = f.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL
    )
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()  # reached through a customer that passed the data scope

    class Meta:
        table = "customer_tag"
        unique_together = (("customer_id", "tag_id"),)
        indexes = (("tenant_id", "tag_id"),)


class FollowUp(Model):
    """A follow-up record: a call, visit, chat or note, with an optional next date."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    customer = f.ForeignKeyField("scrm.Customer", related_name=False, on_delete=f.CASCADE)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    kind = f.CharField(max_length=16)
    content = f.TextField(default="")
    next_follow_up_at = f.DatetimeField(null=True)
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()  # reached through a customer that passed the data scope

    class Meta:
        table = "follow_up"
        indexes = (("tenant_id", "customer_id", "created_at"), ("tenant_id", "next_follow_up_at"))


class TimelineEvent(Model):
    """One thing that happened to a customer, for its timeline."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    customer = f.ForeignKeyField("scrm.Customer", related_name=False, on_delete=f.CASCADE)
    kind = f.CharField(max_length=32)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    data = f.JSONField(default=dict)
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()  # reached through a customer that passed the data scope

    class Meta:
        table = "timeline_event"
        indexes = (("tenant_id", "customer_id", "created_at"),)


class LifecycleTemplate(Model):
    """An ordered list of lifecycle stages for a business line (departments)."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    name = f.CharField(max_length=100)
    document = f.JSONField()
    department_ids = f.JSONField(default=list)
    is_default = f.BooleanField(default=False)
    created_at = f.DatetimeField(auto_now_add=True)
    updated_at = f.DatetimeField(auto_now=True)

    scope = ScopeRule()

    class Meta:
        table = "lifecycle_template"
        unique_together = (("tenant_id", "name"),)
