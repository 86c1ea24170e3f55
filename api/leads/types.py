"""GraphQL types of the leads domain; thin wrappers over rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.db import tenant_scoped
from api.leads import models
from api.leads.loaders import (
    AssignmentsByLeadLoader,
    DepartmentIdsByPoolLoader,
    HeldByMeCountByPoolLoader,
    LeadAssignmentByIdLoader,
    MembersByPoolLoader,
    PoolByIdLoader,
    WaitingCountByPoolLoader,
)
from api.nodes import ScopedNode, resolve_scoped_nodes
from api.org.loaders import DepartmentByIdLoader, StaffByIdLoader
from api.org.types import Department, Staff
from api.relay import Connection, OrderKey, paginate


@strawberry.enum(description="How a pool gives out its waiting leads.")
class PoolStrategy(Enum):
    MANUAL = "manual"  # claimed by staff or assigned by a manager
    ROUND_ROBIN = "round_robin"
    WEIGHTED = "weighted"
    LEAST_LOADED = "least_loaded"


@strawberry.enum(description="Where a lead stands.")
class LeadStatus(Enum):
    NEW = "new"
    VALID = "valid"
    INVALID = "invalid"
    TO_REVISIT = "to_revisit"
    CONVERTED = "converted"


async def _staff(info: Info, staff_id: int | None) -> Staff | None:
    if staff_id is None:
        return None
    row = await info.context.loaders[StaffByIdLoader].load(staff_id)
    return Staff.from_row(row) if row else None


@strawberry.type(description="A staff member's settings in a pool.")
class PoolMember:
    staff_id: strawberry.Private[int]
    weight: int = strawberry.field(description="Share of weighted auto-assignment.")
    holding_cap: int | None = strawberry.field(
        description="Holding cap overriding the pool's; null: the pool's."
    )
    auto_assign: bool = strawberry.field(description="Whether auto-assignment includes them.")
    online: JSON = strawberry.field(
        description='Online hours for auto-assignment: [{"weekdays": [0-6], "start": "09:00", '
        '"end": "18:00"}], business time; empty: always.'
    )

    @strawberry.field(description="The staff member.")
    async def staff(self, info: Info) -> Staff | None:
        return await _staff(info, self.staff_id)

    @classmethod
    def from_row(cls, row: models.PoolMember) -> Self:
        return cls(
            staff_id=row.staff_id,
            weight=row.weight,
            holding_cap=row.holding_cap,
            auto_assign=row.auto_assign,
            online=row.online,
        )


@strawberry.type(
    description="A pool (公海) of leads, bound to departments whose staff (and their "
    "subdepartments' staff) may see and claim its waiting leads. Changes to its recycle "
    "policy apply to assignments made afterwards: a lead already held keeps the rule it "
    "was assigned under."
)
class Pool(ScopedNode):
    model = models.Pool
    read_scope = "leads:read"
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name, unique in the tenant.")
    description: str = strawberry.field(description="What the pool is for.")
    holding_cap: int | None = strawberry.field(
        description="Most leads of this pool one staff member holds at once; null: no cap."
    )
    claims_per_day: int | None = strawberry.field(
        description="Most claims per staff member per day (business time); null: no limit."
    )
    claim_interval_seconds: int = strawberry.field(
        description="Least time between two claims by one staff member; 0: none."
    )
    strategy: PoolStrategy = strawberry.field(description="How waiting leads are given out.")
    recycle: JSON = strawberry.field(
        description="The recycle policy document (see `leadRecyclePolicySchema`)."
    )
    archived: bool = strawberry.field(description="Archived pools take no claims or recycles.")

    @strawberry.field(description="Departments whose staff use the pool (with subdepartments).")
    async def departments(self, info: Info) -> list[Department]:
        ids = await info.context.loaders[DepartmentIdsByPoolLoader].load(self.id)
        rows = await info.context.loaders[DepartmentByIdLoader].load_many(ids)
        return [Department.from_row(r) for r in rows if r]

    @strawberry.field(description="Per-staff settings (weight, cap override, online hours).")
    async def members(self, info: Info) -> list[PoolMember]:
        rows = await info.context.loaders[MembersByPoolLoader].load(self.id)
        return [PoolMember.from_row(r) for r in rows]

    @strawberry.field(description="Leads waiting to be claimed or assigned.")
    async def waiting_count(self, info: Info) -> int:
        return await info.context.loaders[WaitingCountByPoolLoader].load(self.id)

    @strawberry.field(description="Leads of this pool the caller holds now.")
    async def held_by_me(self, info: Info) -> int:
        return await info.context.loaders[HeldByMeCountByPoolLoader].load(self.id)

    @classmethod
    def from_row(cls, row: models.Pool) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            description=row.description,
            holding_cap=row.holding_cap,
            claims_per_day=row.claims_per_day,
            claim_interval_seconds=row.claim_interval_seconds,
            strategy=PoolStrategy(row.strategy),
            recycle=row.recycle,
            archived=row.archived,
        )


@strawberry.type(description="One hold of a lead by a staff member, from its start to its end.")
class LeadAssignment:
    id: relay.GlobalID = strawberry.field(description="Id of the hold.")
    how: str = strawberry.field(description="claim, assign (by a manager) or auto.")
    rule: JSON | None = strawberry.field(
        description="The recycle rule this hold runs under, frozen when it started; null: none."
    )
    deadline_at: datetime | None = strawberry.field(
        description="The next recycle deadline, as last computed (null until then)."
    )
    started_at: datetime = strawberry.field(description="When the hold started.")
    ended_at: datetime | None = strawberry.field(description="When it ended; null: running.")
    end_reason: str | None = strawberry.field(
        description="released, recycled, transferred, reassigned, invalid, converted, deleted."
    )
    end_note: str = strawberry.field(description="The reason given, if any.")
    staff_id: strawberry.Private[int]
    by_id: strawberry.Private[int | None]

    @strawberry.field(description="The holder.")
    async def staff(self, info: Info) -> Staff | None:
        return await _staff(info, self.staff_id)

    @strawberry.field(description="Who assigned it; null for claims and automatic ones.")
    async def assigned_by(self, info: Info) -> Staff | None:
        return await _staff(info, self.by_id)

    @classmethod
    def from_row(cls, row: models.LeadAssignment) -> Self:
        return cls(
            id=relay.GlobalID("LeadAssignment", str(row.id)),
            how=row.how,
            rule=row.rule,
            deadline_at=row.deadline_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            end_reason=row.end_reason,
            end_note=row.end_note,
            staff_id=row.staff_id,
            by_id=row.by_id,
        )


@strawberry.type(description="Something that happened to a lead.")
class LeadTimelineEntry:
    id: relay.GlobalID = strawberry.field(description="Id of the entry.")
    kind: str = strawberry.field(
        description="created, updated, claimed, assigned, released, follow_up, "
        "material_sent, stage_reached, recycle_warning, recycled, transferred, "
        "status_changed, converted."
    )
    data: JSON = strawberry.field(description="Details; shape depends on kind.")
    created_at: datetime = strawberry.field(description="When it happened.")
    staff_id: strawberry.Private[int | None]

    @strawberry.field(description="Who did it; null for the system.")
    async def staff(self, info: Info) -> Staff | None:
        return await _staff(info, self.staff_id)

    @classmethod
    def from_row(cls, row: models.LeadTimelineEvent) -> Self:
        return cls(
            id=relay.GlobalID("LeadTimelineEvent", str(row.id)),
            kind=row.kind,
            data=row.data,
            created_at=row.created_at,
            staff_id=row.staff_id,
        )


@strawberry.type(description="A sales lead: someone not yet a customer, held or in a pool.")
class Lead(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Display name.")
    source: str = strawberry.field(description="The channel the lead came from.")
    status: LeadStatus = strawberry.field(description="Where the lead stands.")
    schema_version: int = strawberry.field(
        description="The published lead field version the values were validated against."
    )
    last_follow_up_at: datetime | None = strawberry.field(description="Latest follow-up.")
    created_at: datetime = strawberry.field(description="When the lead was created.")
    updated_at: datetime = strawberry.field(description="Last change.")
    values: strawberry.Private[dict]
    hidden: strawberry.Private[frozenset[str]]
    pool_id: strawberry.Private[int | None]
    owner_id: strawberry.Private[int | None]
    assignment_id: strawberry.Private[int | None]
    customer_pk: strawberry.Private[int | None]

    @strawberry.field(
        description="Custom field values by field key (see `fieldDefinitions(kind: "
        '"lead_fields")`); fields not visible to the caller\'s roles are left out.'
    )
    def fields(self) -> JSON:
        return {k: v for k, v in self.values.items() if k not in self.hidden}

    @strawberry.field(description="The pool the lead waits in or returns to.")
    async def pool(self, info: Info) -> Pool | None:
        if self.pool_id is None:
            return None
        row = await info.context.loaders[PoolByIdLoader].load(self.pool_id)
        return Pool.from_row(row) if row else None

    @strawberry.field(description="The staff member holding the lead; null while it waits.")
    async def owner(self, info: Info) -> Staff | None:
        return await _staff(info, self.owner_id)

    @strawberry.field(description="The running hold, with its recycle rule and deadline.")
    async def assignment(self, info: Info) -> LeadAssignment | None:
        if self.assignment_id is None:
            return None
        row = await info.context.loaders[LeadAssignmentByIdLoader].load(self.assignment_id)
        return LeadAssignment.from_row(row) if row else None

    @strawberry.field(description="The customer the lead was converted into, if it was.")
    def customer_id(self) -> relay.GlobalID | None:
        return relay.GlobalID("Customer", str(self.customer_pk)) if self.customer_pk else None

    @strawberry.field(description="Every hold of the lead, newest first (the whole history).")
    async def assignments(self, info: Info) -> list[LeadAssignment]:
        rows = await info.context.loaders[AssignmentsByLeadLoader].load(self.id)
        return [LeadAssignment.from_row(r) for r in rows]

    @strawberry.field(description="Everything that happened to the lead, newest first.")
    async def timeline(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[LeadTimelineEntry]:
        qs = tenant_scoped(info.context.actor, models.LeadTimelineEvent).filter(lead_id=self.id)
        return await paginate(
            qs,
            first=first,
            after=after,
            order=[OrderKey("created_at", descending=True), OrderKey("id", descending=True)],
            to_node=LeadTimelineEntry.from_row,
        )

    @classmethod
    def from_row(cls, row: models.Lead, hidden: frozenset[str] = frozenset()) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            source=row.source,
            status=LeadStatus(row.status),
            schema_version=row.schema_version,
            last_follow_up_at=row.last_follow_up_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            values=row.fields or {},
            hidden=hidden,
            pool_id=row.pool_id,
            owner_id=row.owner_id,
            assignment_id=row.assignment_id,
            customer_pk=row.customer_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        from api.leads.service.records import KIND, visible_leads
        from api.metadata.service import hidden_fields

        actor = info.context.actor
        hidden = await hidden_fields(actor, KIND)
        return await resolve_scoped_nodes(
            info,
            models.Lead,
            node_ids,
            lambda row: cls.from_row(row, hidden),
            required=required,
            queryset=visible_leads(actor),
        )


@strawberry.type(
    description="Distinct leads that reached each funnel step in the range, for one staff "
    "member or channel."
)
class LeadFunnelRow:
    key: str | None = strawberry.field(
        description="The staff member's global id or the channel; null: no staff member."
    )
    label: str = strawberry.field(description="Staff name or channel, for display.")
    created: int = strawberry.field(description="Leads created.")
    assigned: int = strawberry.field(description="Leads claimed or assigned.")
    valid: int = strawberry.field(description="Leads marked valid.")
    invalid: int = strawberry.field(description="Leads marked invalid.")
    to_revisit: int = strawberry.field(description="Leads marked to revisit.")
    released: int = strawberry.field(description="Leads given back by their holder.")
    recycled: int = strawberry.field(description="Leads taken back by a recycle rule.")
    converted: int = strawberry.field(description="Leads converted into customers.")
    conversion_rate: float | None = strawberry.field(
        description="converted / assigned; null when nothing was assigned."
    )
