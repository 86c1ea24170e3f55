"""GraphQL types of the organisation domain; thin wrappers over rows."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay
from strawberry.types import Info

from api.auth import Role as RoleValue
from api.nodes import ScopedNode
from api.org import models
from api.org.loaders import DepartmentByIdLoader, TenantByIdLoader

Role = strawberry.enum(
    RoleValue,
    name="Role",
    description="A staff role. Data scope follows the widest role held: admins and "
    "inspectors see the tenant, managers their department subtree, staff and agents "
    "their own records.",
)


@strawberry.type(description="A tenant: one company using the SCRM.")
class Tenant(ScopedNode):
    model = models.Tenant
    id: relay.NodeID[int]
    slug: str = strawberry.field(description="Short unique name, used to sign in.")
    name: str = strawberry.field(description="Display name of the company.")

    @classmethod
    def from_row(cls, row: models.Tenant) -> Self:
        return cls(id=row.id, slug=row.slug, name=row.name)


@strawberry.type(description="A department in the tenant's department tree.")
class Department(ScopedNode):
    model = models.Department
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Department name, unique among its siblings.")
    depth: int = strawberry.field(description="0 for a root department, 1 below it, ...")
    created_at: datetime = strawberry.field(description="When the department was created.")
    parent_id: strawberry.Private[int | None]

    @strawberry.field(description="The department above this one; null for a root.")
    async def parent(self, info: Info) -> Department | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders[DepartmentByIdLoader].load(self.parent_id)
        return Department.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: models.Department) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            depth=row.path.count("/") - 2,
            created_at=row.created_at,
            parent_id=row.parent_id,
        )


@strawberry.type(description="A staff member: an employee of the tenant using the product.")
class Staff(ScopedNode):
    model = models.Staff
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Sign-in email, unique in the tenant.")
    phone: str | None = strawberry.field(description="Phone number, if known.")
    roles: list[Role] = strawberry.field(description="Roles held; at least one.")
    active: bool = strawberry.field(description="False once disabled: cannot sign in.")
    created_at: datetime = strawberry.field(description="When the staff member was created.")
    updated_at: datetime = strawberry.field(description="Last change to the record.")
    tenant_id: strawberry.Private[int]
    department_id: strawberry.Private[int | None]

    @strawberry.field(description="The department the staff member belongs to.")
    async def department(self, info: Info) -> Department | None:
        if self.department_id is None:
            return None
        row = await info.context.loaders[DepartmentByIdLoader].load(self.department_id)
        return Department.from_row(row) if row else None

    @strawberry.field(description="The tenant the staff member works for.")
    async def tenant(self, info: Info) -> Tenant:
        row = await info.context.loaders[TenantByIdLoader].load(self.tenant_id)
        return Tenant.from_row(row)

    @classmethod
    def from_row(cls, row: models.Staff) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            phone=row.phone,
            roles=[RoleValue(r) for r in row.roles],
            active=row.active,
            created_at=row.created_at,
            updated_at=row.updated_at,
            tenant_id=row.tenant_id,
            department_id=row.department_id,
        )


@strawberry.type(description="An API key for an integrator. The key itself is shown once.")
class ApiKey(ScopedNode):
    model = models.ApiKey
    read_scope = "apikeys:manage"
    id: relay.NodeID[int]
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="The key's visible start, to recognise it.")
    scopes: list[str] = strawberry.field(description="Scopes granted to the key.")
    created_at: datetime = strawberry.field(description="When the key was created.")
    revoked_at: datetime | None = strawberry.field(description="When revoked; null if active.")
    last_used_at: datetime | None = strawberry.field(
        description="Last use, to the minute; null if never used."
    )

    @classmethod
    def from_row(cls, row: models.ApiKey) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            prefix=f"scrm_{row.lookup}_",
            scopes=list(row.scopes),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


@strawberry.type(description="A message for the signed-in staff member.")
class Notification(ScopedNode):
    model = models.Notification
    id: relay.NodeID[int]
    kind: str = strawberry.field(description="What it is about, e.g. `welcome`.")
    title: str = strawberry.field(description="One-line summary.")
    body: str = strawberry.field(description="The message.")
    created_at: datetime = strawberry.field(description="When it was sent.")
    read_at: datetime | None = strawberry.field(description="When read; null while unread.")

    @classmethod
    def from_row(cls, row: models.Notification) -> Self:
        return cls(
            id=row.id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
        )
