"""Mutation root of the organisation domain: sign-in and administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.inputs import optional_id
from api.org.inputs import (
    CreateApiKeyInput,
    CreateDepartmentInput,
    CreateStaffInput,
    LoginInput,
    MarkNotificationReadInput,
    RevokeApiKeyInput,
    StaffIdInput,
    UpdateDepartmentInput,
    UpdateStaffInput,
)
from api.org.service import actors, api_keys, departments, notifications, staff
from api.org.service.staff import StaffChanges
from api.org.types import ApiKey, Department, Notification, Staff
from api.permissions import requires
from api.relay import decode_id


@strawberry.type(description="A signed-in session.")
class LoginPayload:
    access_token: str = strawberry.field(
        description="Send as `Authorization: Bearer <token>` (and in `connection_init` "
        "for subscriptions)."
    )
    expires_at: datetime = strawberry.field(description="When the token stops working.")
    staff: Staff = strawberry.field(description="Who signed in.")


@strawberry.type(description="The department created or changed.")
class DepartmentPayload:
    department: Department = strawberry.field(description="The department.")


@strawberry.type(description="The staff member created or changed.")
class StaffPayload:
    staff: Staff = strawberry.field(description="The staff member.")


@strawberry.type(description="A new API key; `key` is shown only here, once.")
class CreateApiKeyPayload:
    api_key: ApiKey = strawberry.field(description="The key's record.")
    key: str = strawberry.field(description="The secret key. Store it now: it is not kept.")


@strawberry.type(description="The API key revoked.")
class ApiKeyPayload:
    api_key: ApiKey = strawberry.field(description="The key's record.")


@strawberry.type(description="The notification marked as read.")
class NotificationPayload:
    notification: Notification = strawberry.field(description="The notification.")


@strawberry.type
class OrgMutations:
    @strawberry.mutation(
        description="Sign in as a staff member. Repeated failures per account and per "
        "client address are refused with RATE_LIMITED for a while."
    )
    async def login(
        self,
        info: Info,
        input: Annotated[LoginInput, strawberry.argument(description="The input; see its type.")],
    ) -> LoginPayload:
        token, expires_at, row = await actors.login(
            input.tenant, input.email, input.password, info.context.client_ip
        )
        return LoginPayload(access_token=token, expires_at=expires_at, staff=Staff.from_row(row))

    @strawberry.mutation(description="Create a department.", extensions=requires("org:write"))
    async def create_department(
        self,
        info: Info,
        input: Annotated[
            CreateDepartmentInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> DepartmentPayload:
        row = await departments.create_department(
            info.context.actor, input.name, optional_id(input.parent_id, "Department")
        )
        return DepartmentPayload(department=Department.from_row(row))

    @strawberry.mutation(
        description="Rename a department or move it, with its subtree, under another parent.",
        extensions=requires("org:write"),
    )
    async def update_department(
        self,
        info: Info,
        input: Annotated[
            UpdateDepartmentInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> DepartmentPayload:
        move = input.parent_id is not strawberry.UNSET
        parent = input.parent_id if move else None
        row = await departments.update_department(
            info.context.actor,
            decode_id(input.id, "Department"),
            input.name,
            optional_id(parent, "Department"),
            move,
        )
        return DepartmentPayload(department=Department.from_row(row))

    @strawberry.mutation(
        description="Create a staff member; they receive a welcome notification.",
        extensions=requires("org:write"),
    )
    async def create_staff(
        self,
        info: Info,
        input: Annotated[
            CreateStaffInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> StaffPayload:
        changes = StaffChanges(
            name=input.name,
            email=input.email,
            phone=input.phone,
            password=input.password,
            roles=input.roles,
            department_id=optional_id(input.department_id, "Department"),
        )
        row = await staff.create_staff(info.context.actor, changes)
        return StaffPayload(staff=Staff.from_row(row))

    @strawberry.mutation(description="Change a staff member.", extensions=requires("org:write"))
    async def update_staff(
        self,
        info: Info,
        input: Annotated[
            UpdateStaffInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> StaffPayload:
        set_department = input.department_id is not strawberry.UNSET
        changes = StaffChanges(
            name=input.name,
            email=input.email,
            phone=input.phone,
            password=input.password,
            roles=input.roles,
            department_id=optional_id(
                input.department_id if set_department else None, "Department"
            ),
            set_department=set_department,
        )
        row = await staff.update_staff(info.context.actor, decode_id(input.id, "Staff"), changes)
        return StaffPayload(staff=Staff.from_row(row))

    @strawberry.mutation(
        description="Disable a staff member: they can no longer sign in and their tokens "
        "stop working at once.",
        extensions=requires("org:write"),
    )
    async def disable_staff(
        self,
        info: Info,
        input: Annotated[StaffIdInput, strawberry.argument(description="The input; see its type.")],
    ) -> StaffPayload:
        row = await staff.set_staff_active(info.context.actor, decode_id(input.id, "Staff"), False)
        return StaffPayload(staff=Staff.from_row(row))

    @strawberry.mutation(
        description="Enable a disabled staff member again.", extensions=requires("org:write")
    )
    async def enable_staff(
        self,
        info: Info,
        input: Annotated[StaffIdInput, strawberry.argument(description="The input; see its type.")],
    ) -> StaffPayload:
        row = await staff.set_staff_active(info.context.actor, decode_id(input.id, "Staff"), True)
        return StaffPayload(staff=Staff.from_row(row))

    @strawberry.mutation(
        description="Create an API key with scopes; the key is returned once.",
        extensions=requires("apikeys:manage", staff=True),
    )
    async def create_api_key(
        self,
        info: Info,
        input: Annotated[
            CreateApiKeyInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> CreateApiKeyPayload:
        row, key = await api_keys.create_api_key(info.context.actor, input.name, input.scopes)
        return CreateApiKeyPayload(api_key=ApiKey.from_row(row), key=key)

    @strawberry.mutation(
        description="Revoke an API key; it stops working at once.",
        extensions=requires("apikeys:manage"),
    )
    async def revoke_api_key(
        self,
        info: Info,
        input: Annotated[
            RevokeApiKeyInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> ApiKeyPayload:
        row = await api_keys.revoke_api_key(info.context.actor, decode_id(input.id, "ApiKey"))
        return ApiKeyPayload(api_key=ApiKey.from_row(row))

    @strawberry.mutation(
        description="Mark one of your notifications as read.", extensions=requires(staff=True)
    )
    async def mark_notification_read(
        self,
        info: Info,
        input: Annotated[
            MarkNotificationReadInput, strawberry.argument(description="The input; see its type.")
        ],
    ) -> NotificationPayload:
        row = await notifications.mark_read(info.context.actor, decode_id(input.id, "Notification"))
        return NotificationPayload(notification=Notification.from_row(row))
