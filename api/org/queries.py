"""Query root of the organisation domain."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise.expressions import Q

from api.auth import SCOPES
from api.org.inputs import StaffWhere
from api.org.service import actors, api_keys, departments, notifications, staff
from api.org.types import ApiKey, Department, Notification, Staff, Tenant
from api.permissions import requires
from api.relay import Connection, OrderKey, decode_id, paginate


@strawberry.type(description="A scope an API key can be granted.")
class ApiScope:
    name: str = strawberry.field(description="Scope name, e.g. `org:read`.")
    description: str = strawberry.field(description="What it allows.")


@strawberry.type
class OrgQueries:
    @strawberry.field(description="The signed-in staff member.", extensions=requires(staff=True))
    async def me(self, info: Info) -> Staff:
        actor = info.context.actor
        row = await staff.visible_staff(actor).get(id=actor.staff_id)
        return Staff.from_row(row)

    @strawberry.field(description="The caller's tenant.", extensions=requires())
    async def tenant(self, info: Info) -> Tenant:
        return Tenant.from_row(await actors.tenant_of(info.context.actor))

    @strawberry.field(
        description="Departments the caller may see (admins: all; managers: their subtree; "
        "staff: their own), ordered as a depth-first walk of the tree.",
        extensions=requires("org:read"),
    )
    async def departments(self, info: Info) -> list[Department]:
        rows = await departments.visible_departments(info.context.actor).order_by("path")
        return [Department.from_row(r) for r in rows]

    @strawberry.field(
        description="Staff members the caller may see (admins: all; managers: their "
        "department subtree; staff: themselves), ordered by name.",
        extensions=requires("org:read"),
    )
    async def staff(
        self,
        info: Info,
        where: Annotated[
            StaffWhere | None, strawberry.argument(description="Filters; all must hold.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 200 (default 50).")
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Cursor of the last row of the previous page."),
        ] = None,
    ) -> Connection[Staff]:
        qs = staff.visible_staff(info.context.actor)
        if where is not None:
            if where.department_id is not None:
                qs = qs.filter(department_id=decode_id(where.department_id, "Department"))
            if where.active is not None:
                qs = qs.filter(active=where.active)
            if where.search:
                qs = qs.filter(Q(name__icontains=where.search) | Q(email__icontains=where.search))
        return await paginate(
            qs, first=first, after=after, order=[OrderKey("name")], to_node=Staff.from_row
        )

    @strawberry.field(
        description="API keys of the tenant, newest first.",
        extensions=requires("apikeys:manage"),
    )
    async def api_keys(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[ApiKey]:
        return await paginate(
            api_keys.visible_api_keys(info.context.actor),
            first=first,
            after=after,
            order=[OrderKey("created_at", descending=True), OrderKey("id", descending=True)],
            to_node=ApiKey.from_row,
        )

    @strawberry.field(description="Every scope an API key can be granted.", extensions=requires())
    def api_scopes(self) -> list[ApiScope]:
        return [ApiScope(name=k, description=v) for k, v in sorted(SCOPES.items())]

    @strawberry.field(
        description="The signed-in staff member's notifications, newest first.",
        extensions=requires(staff=True),
    )
    async def notifications(
        self,
        info: Info,
        unread_only: Annotated[bool, strawberry.argument(description="Only unread.")] = False,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor.")] = None,
    ) -> Connection[Notification]:
        qs = notifications.my_notifications(info.context.actor)
        if unread_only:
            qs = qs.filter(read_at=None)
        return await paginate(
            qs,
            first=first,
            after=after,
            order=[OrderKey("created_at", descending=True), OrderKey("id", descending=True)],
            to_node=Notification.from_row,
        )
