"""GraphQL inputs of the organisation domain."""

from __future__ import annotations

import strawberry
from strawberry import relay

from api.events.inputs import IDEMPOTENCY_KEY
from api.org.types import Role


@strawberry.input(description="Credentials of a staff member.")
class LoginInput:
    tenant: str = strawberry.field(description="The tenant's slug, e.g. `demo`.")
    email: str = strawberry.field(description="The staff member's email.")
    password: str = strawberry.field(description="The password.")


@strawberry.input(description="A new department.")
class CreateDepartmentInput:
    name: str = strawberry.field(description="Name, unique among its siblings.")
    parent_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The department above; omit for a root department."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to a department; omitted fields stay as they are.")
class UpdateDepartmentInput:
    id: relay.GlobalID = strawberry.field(description="The department to change.")
    name: str | None = strawberry.field(default=None, description="New name.")
    parent_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET,
        description="New parent (the subtree moves along); null makes it a root.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A new staff member.")
class CreateStaffInput:
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Sign-in email, unique in the tenant.")
    password: str = strawberry.field(description="Initial password, at least 10 characters.")
    roles: list[Role] = strawberry.field(description="Roles; at least one.")
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The staff member's department."
    )
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to a staff member; omitted fields stay as they are.")
class UpdateStaffInput:
    id: relay.GlobalID = strawberry.field(description="The staff member to change.")
    name: str | None = strawberry.field(default=None, description="New full name.")
    email: str | None = strawberry.field(default=None, description="New sign-in email.")
    phone: str | None = strawberry.field(default=None, description="New phone; empty clears it.")
    password: str | None = strawberry.field(default=None, description="New password.")
    roles: list[Role] | None = strawberry.field(default=None, description="New roles.")
    department_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="New department; null removes it."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Which staff member to disable or enable.")
class StaffIdInput:
    id: relay.GlobalID = strawberry.field(description="The staff member.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A new API key.")
class CreateApiKeyInput:
    name: str = strawberry.field(description="What the key is for.")
    scopes: list[str] = strawberry.field(
        description="Scopes to grant, e.g. `org:read`; see `apiScopes`."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    id: relay.GlobalID = strawberry.field(description="The key.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="The notification to mark as read.")
class MarkNotificationReadInput:
    id: relay.GlobalID = strawberry.field(description="The notification.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Filters for the staff list; all given conditions must hold.")
class StaffWhere:
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this department (not its subdepartments)."
    )
    active: bool | None = strawberry.field(default=None, description="Only active/disabled.")
    search: str | None = strawberry.field(
        default=None, description="Name or email contains this text (case-insensitive)."
    )
