"""Tables of the leads domain: leads, pools (公海) with their departments and per-staff
settings, assignments (one per hold of a lead), claim counters, the lead timeline and
the status transitions the funnel counts."""

from __future__ import annotations

from typing import Any

# `f`, not `fields`: extensible entities have a column named `fields`.
from tortoise import fields as f
from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from api.db import ScopeRule

# Statuses a lead can be in; a lead in a pool with no owner and one of CLAIMABLE waits to be
# claimed or assigned.
STATUSES = ("new", "valid", "invalid", "to_revisit", "converted")
CLAIMABLE = ("new", "valid", "to_revisit")


def member_pools(actor: Any) -> Any:
    """Ids of the pools bound to the actor's department or a department above it."""
    return PoolDepartment.filter(
        tenant_id=actor.tenant_id, department_id__in=list(actor.department_chain)
    ).values("pool_id")


def _visible_pool_ids(actor: Any) -> Any:
    """Ids of the pools the actor sees: bound to its department chain, and for managers
    also to a department of their subtree."""
    departments = set(actor.department_chain)
    if actor.data_scope.value == "department":
        departments |= set(actor.department_ids)
    return PoolDepartment.filter(
        tenant_id=actor.tenant_id, department_id__in=list(departments)
    ).values("pool_id")


def _pools_reach(actor: Any) -> Q:
    return Q(id__in=Subquery(_visible_pool_ids(actor)))


def _open_leads_reach(actor: Any) -> Q:
    """Unowned leads in a pool the actor sees (waiting ones, and invalid ones kept there)."""
    return Q(owner_id=None, pool_id__in=Subquery(_visible_pool_ids(actor)))


class Pool(Model):
    """A pool (公海) of leads, bound to departments whose staff (and their subdepartments'
    staff) may see and claim its leads, with holding caps, claim limits, an assignment
    strategy and recycle rules. Rules apply to assignments made after they change."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    name = f.CharField(max_length=100)
    description = f.TextField(default="")
    # most leads one staff member may hold from this pool at once; None: no cap
    holding_cap = f.IntField(null=True)
    claims_per_day = f.IntField(null=True)  # None: no daily limit
    claim_interval_seconds = f.IntField(default=0)  # least time between two claims
    strategy = f.CharField(max_length=16, default="manual")  # manual | assignment.Strategy
    # The recycle policy document (see api/leads/recycle.py): valid follow-up, warning,
    # tier field and rules per tier.
    recycle = f.JSONField(default=dict)
    archived = f.BooleanField(default=False)
    created_at = f.DatetimeField(auto_now_add=True)
    updated_at = f.DatetimeField(auto_now=True)

    scope = ScopeRule(reach=_pools_reach)

    class Meta:
        table = "lead_pool"
        unique_together = (("tenant_id", "name"),)


class PoolDepartment(Model):
    """A department bound to a pool: its staff and its subdepartments' staff use it."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    pool = f.ForeignKeyField("scrm.Pool", related_name=False, on_delete=f.CASCADE)
    department = f.ForeignKeyField("scrm.Department", related_name=False, on_delete=f.CASCADE)

    scope = ScopeRule()  # reached through a pool that passed the data scope

    class Meta:
        table = "lead_pool_department"
        unique_together = (("pool_id", "department_id"),)
        indexes = (("tenant_id", "department_id"),)


class PoolMember(Model):
    """Per-staff settings of a pool: weight for weighted assignment, a holding cap
    overriding the pool's, and whether auto-assignment skips the staff member."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    pool = f.ForeignKeyField("scrm.Pool", related_name=False, on_delete=f.CASCADE)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, on_delete=f.CASCADE)
    weight = f.IntField(default=1)
    holding_cap = f.IntField(null=True)  # None: the pool's cap
    auto_assign = f.BooleanField(default=True)
    # Online hours for auto-assignment: [{"weekdays": [0..6], "start": "09:00", "end": ...}]
    online = f.JSONField(default=list)

    scope = ScopeRule()  # reached through a pool that passed the data scope

    class Meta:
        table = "lead_pool_member"
        unique_together = (("pool_id", "staff_id"),)


class PoolHolding(Model):
    """One staff member's claims from one pool: the row claims lock (conditional update)
    so caps and claim limits hold under concurrency."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    pool = f.ForeignKeyField("scrm.Pool", related_name=False, on_delete=f.CASCADE)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, on_delete=f.CASCADE)
    claim_day = f.CharField(max_length=10, default="")  # YYYY-MM-DD, tenant time
    claims_on_day = f.IntField(default=0)
    last_claim_at = f.DatetimeField(null=True)
    touches = f.BigIntField(default=0)  # bumped by every capped take, to lock the row

    scope = ScopeRule(owner="staff_id")

    class Meta:
        table = "lead_pool_holding"
        unique_together = (("pool_id", "staff_id"),)


class Lead(Model):
    """A sales lead: a person or company not yet a customer. Custom field values live in
    `fields`, valid against published lead field version `schema_version`. `pool` is the
    pool it belongs to (and returns to); `owner` its holder, through `assignment`."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    name = f.CharField(max_length=200)
    source = f.CharField(max_length=64, default="manual")  # the channel it came from
    status = f.CharField(max_length=16, default="new")
    fields = f.JSONField(default=dict)
    schema_version = f.IntField(default=0)
    pool = f.ForeignKeyField("scrm.Pool", related_name=False, null=True, on_delete=f.SET_NULL)
    owner = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    assignment_id = f.BigIntField(null=True)  # the open LeadAssignment while held
    customer_id = f.BigIntField(null=True)  # the customer it was converted into
    last_follow_up_at = f.DatetimeField(null=True)
    created_by = f.ForeignKeyField(
        "scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL
    )
    created_at = f.DatetimeField(auto_now_add=True)
    updated_at = f.DatetimeField(auto_now=True)

    scope = ScopeRule(owner="owner_id", reach=_open_leads_reach)

    class Meta:
        table = "lead"
        indexes = (
            ("tenant_id", "owner_id", "pool_id"),
            ("tenant_id", "pool_id", "status"),
            ("tenant_id", "created_at", "id"),
            ("tenant_id", "source"),
        )


class LeadAssignment(Model):
    """One hold of a lead by a staff member, from claim/assignment to its end. Carries
    the recycle rule it started with; its recycle workflow is `lead-recycle:<tenant>:<id>`."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    lead = f.ForeignKeyField("scrm.Lead", related_name=False, on_delete=f.CASCADE)
    pool = f.ForeignKeyField("scrm.Pool", related_name=False, null=True, on_delete=f.SET_NULL)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, on_delete=f.CASCADE)
    how = f.CharField(max_length=16)  # claim | assign | auto
    by = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    rule = f.JSONField(null=True)  # the recycle rule in force for this hold; None: none
    deadline_at = f.DatetimeField(null=True)  # next recycle deadline, as last computed
    workflow_started = f.BooleanField(default=False)
    started_at = f.DatetimeField()
    ended_at = f.DatetimeField(null=True)
    end_reason = f.CharField(max_length=16, null=True)  # released | recycled | ...
    end_note = f.TextField(default="")

    scope = ScopeRule(owner="staff_id")

    class Meta:
        table = "lead_assignment"
        indexes = (
            ("tenant_id", "lead_id"),
            ("tenant_id", "staff_id", "started_at"),
            ("workflow_started", "ended_at"),
        )


class LeadTimelineEvent(Model):
    """One thing that happened to a lead: created, claimed, follow-ups, recycled... Kept
    across holders, so a re-claimed lead shows its whole history."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    lead = f.ForeignKeyField("scrm.Lead", related_name=False, on_delete=f.CASCADE)
    assignment_id = f.BigIntField(null=True)  # the hold it happened in, if any
    kind = f.CharField(max_length=32)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    data = f.JSONField(default=dict)
    created_at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule()  # reached through a lead that passed the data scope

    class Meta:
        table = "lead_timeline_event"
        indexes = (("tenant_id", "lead_id", "created_at"), ("assignment_id", "kind"))


class LeadTransition(Model):
    """A step of a lead through the funnel (created, assigned, valid, invalid,
    to_revisit, converted, recycled, released), with the holder and channel at the time,
    so the funnel is one GROUP BY."""

    id = f.BigIntField(primary_key=True)
    tenant = f.ForeignKeyField("scrm.Tenant", related_name=False, on_delete=f.CASCADE)
    lead = f.ForeignKeyField("scrm.Lead", related_name=False, on_delete=f.CASCADE)
    step = f.CharField(max_length=16)
    staff = f.ForeignKeyField("scrm.Staff", related_name=False, null=True, on_delete=f.SET_NULL)
    source = f.CharField(max_length=64)
    at = f.DatetimeField(auto_now_add=True)

    scope = ScopeRule(owner="staff_id")

    class Meta:
        table = "lead_transition"
        indexes = (("tenant_id", "at", "step"),)
