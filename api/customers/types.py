"""GraphQL types of the customers domain; thin wrappers over rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.customers import models
from api.customers.loaders import (
    FollowerIdsByCustomerLoader,
    LifecycleTemplateByIdLoader,
    TagGroupByIdLoader,
    TagsByCustomerLoader,
    TagsByGroupLoader,
)
from api.nodes import ScopedNode, resolve_scoped_nodes
from api.org.loaders import StaffByIdLoader
from api.org.types import Staff
from api.relay import Connection, OrderKey, paginate
from schemas.stages import compile_stages


@strawberry.type(description="A tag that can be applied to customers or chat groups.")
class Tag(ScopedNode):
    model = models.Tag
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The tag's name, unique in its group.")
    group_id: strawberry.Private[int]

    @strawberry.field(description="The group the tag belongs to.")
    async def group(self, info: Info) -> TagGroup:
        row = await info.context.loaders[TagGroupByIdLoader].load(self.group_id)
        return TagGroup.from_row(row)

    @classmethod
    def from_row(cls, row: models.Tag) -> Self:
        return cls(id=row.id, name=row.name, group_id=row.group_id)


@strawberry.type(description="A group of tags, usable by staff of its departments.")
class TagGroup(ScopedNode):
    model = models.TagGroup
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Group name.")
    target: str = strawberry.field(description="`customer` tags or chat `group` tags.")
    department_ids: strawberry.Private[list[int]]

    @strawberry.field(description="Departments whose staff may apply these tags; empty: all.")
    def department_global_ids(self) -> list[relay.GlobalID]:
        return [relay.GlobalID("Department", str(i)) for i in self.department_ids]

    @strawberry.field(description="The group's tags, in order.")
    async def tags(self, info: Info) -> list[Tag]:
        rows = await info.context.loaders[TagsByGroupLoader].load(self.id)
        return [Tag.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: models.TagGroup) -> Self:
        return cls(id=row.id, name=row.name, target=row.target, department_ids=row.department_ids)


@strawberry.type(description="A stage of a lifecycle template.")
class LifecycleStage:
    key: str = strawberry.field(description="Stable key of the stage.")
    label: str = strawberry.field(description="Display name.")
    order: int = strawberry.field(description="Position, from 0.")


@strawberry.type(description="An ordered list of customer lifecycle stages for a business line.")
class LifecycleTemplate(ScopedNode):
    model = models.LifecycleTemplate
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Template name.")
    is_default: bool = strawberry.field(description="Used when a move names no template.")
    document: JSON = strawberry.field(description="The stages document as designed.")

    @strawberry.field(description="The stages, in order.")
    def stages(self) -> list[LifecycleStage]:
        stages = self.document.get("stages", []) if isinstance(self.document, dict) else []
        ordered = sorted(stages, key=lambda s: s.get("order", 0))
        return [
            LifecycleStage(key=s["key"], label=s["label"], order=i) for i, s in enumerate(ordered)
        ]

    @classmethod
    def from_row(cls, row: models.LifecycleTemplate) -> Self:
        return cls(id=row.id, name=row.name, is_default=row.is_default, document=row.document)


@strawberry.type(description="Something that happened to a customer.")
class TimelineEntry:
    id: relay.GlobalID = strawberry.field(description="Id of the entry.")
    kind: str = strawberry.field(
        description="created, updated (with before/after per field), tagged, untagged, "
        "stage_moved, follow_up, follower_added, follower_removed, merged, merged_into."
    )
    data: JSON = strawberry.field(description="Details of the event; shape depends on kind.")
    created_at: datetime = strawberry.field(description="When it happened.")
    staff_id: strawberry.Private[int | None]

    @strawberry.field(description="Who did it; null for the system or an integration.")
    async def staff(self, info: Info) -> Staff | None:
        if self.staff_id is None:
            return None
        row = await info.context.loaders[StaffByIdLoader].load(self.staff_id)
        return Staff.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: models.TimelineEvent) -> Self:
        return cls(
            id=relay.GlobalID("TimelineEvent", str(row.id)),
            kind=row.kind,
            data=row.data,
            created_at=row.created_at,
            staff_id=row.staff_id,
        )


@strawberry.type(description="A customer of the tenant.")
class Customer(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Display name.")
    source: str = strawberry.field(description="Channel the customer came from.")
    values: strawberry.Private[dict]
    hidden: strawberry.Private[frozenset[str]]
    schema_version: int = strawberry.field(
        description="The published field version the values were validated against."
    )
    stage_key: str | None = strawberry.field(description="Current lifecycle stage key.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="Last change.")
    owner_id: strawberry.Private[int | None]
    template_id: strawberry.Private[int | None]

    @strawberry.field(
        description="Custom field values by field key (see `customerFieldSchema`); fields "
        "not visible to the caller's roles are left out."
    )
    def fields(self) -> JSON:
        return {k: v for k, v in self.values.items() if k not in self.hidden}

    @strawberry.field(description="The staff member responsible for the customer.")
    async def owner(self, info: Info) -> Staff | None:
        if self.owner_id is None:
            return None
        row = await info.context.loaders[StaffByIdLoader].load(self.owner_id)
        return Staff.from_row(row) if row else None

    @strawberry.field(description="Staff following the customer (the owner included).")
    async def followers(self, info: Info) -> list[Staff]:
        ids = await info.context.loaders[FollowerIdsByCustomerLoader].load(self.id)
        rows = await info.context.loaders[StaffByIdLoader].load_many(ids)
        return [Staff.from_row(r) for r in rows if r]

    @strawberry.field(description="Tags applied to the customer.")
    async def tags(self, info: Info) -> list[Tag]:
        rows = await info.context.loaders[TagsByCustomerLoader].load(self.id)
        return [Tag.from_row(r) for r in rows]

    @strawberry.field(description="The customer's lifecycle stage, if any.")
    async def stage(self, info: Info) -> LifecycleStage | None:
        if self.template_id is None or self.stage_key is None:
            return None
        row = await info.context.loaders[LifecycleTemplateByIdLoader].load(self.template_id)
        if row is None:
            return None
        stages = compile_stages(row.document)
        if self.stage_key not in stages.keys:
            return None
        spec = next(s for s in row.document["stages"] if s["key"] == self.stage_key)
        return LifecycleStage(
            key=self.stage_key, label=spec["label"], order=stages.index(self.stage_key)
        )

    @strawberry.field(description="Everything that happened to the customer, newest first.")
    async def timeline(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[TimelineEntry]:
        from api.db import tenant_scoped

        qs = tenant_scoped(info.context.actor, models.TimelineEvent).filter(customer_id=self.id)
        return await paginate(
            qs,
            first=first,
            after=after,
            order=[OrderKey("created_at", descending=True), OrderKey("id", descending=True)],
            to_node=TimelineEntry.from_row,
        )

    @classmethod
    def from_row(cls, row: models.Customer, hidden: frozenset[str] = frozenset()) -> Self:
        """`hidden`: field keys left out for the caller (see `hidden_field_keys`)."""
        return cls(
            hidden=hidden,
            id=row.id,
            name=row.name,
            source=row.source,
            values=row.fields or {},
            schema_version=row.schema_version,
            stage_key=row.stage_key,
            created_at=row.created_at,
            updated_at=row.updated_at,
            owner_id=row.owner_id,
            template_id=row.stage_template_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        from api.customers.service.records import KIND, visible_customers
        from api.metadata.service import hidden_fields

        actor = info.context.actor
        hidden = await hidden_fields(actor, KIND)
        return await resolve_scoped_nodes(
            info,
            models.Customer,
            node_ids,
            lambda row: cls.from_row(row, hidden),
            required=required,
            queryset=visible_customers(actor),
        )
