"""Permission classes attached to schema fields. Each checks one thing; the services
check again through `Actor.require` and the scoping choke point."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from api.errors import ErrorCode


class IsAuthenticated(BasePermission):
    """The caller presented a valid access token or API key."""

    message = "Sign in first"
    error_extensions = {"code": ErrorCode.UNAUTHENTICATED.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        info.context.actor  # raises the precise UNAUTHENTICATED reason  # noqa: B018
        return True


class HasScope(BasePermission):
    """The caller holds a scope (from its roles, or granted to its API key)."""

    error_extensions = {"code": ErrorCode.FORBIDDEN.value}

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.message = f"Requires the {scope} permission"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.has_scope(self.scope)


class IsStaff(BasePermission):
    """The caller is a signed-in staff member, not an API key."""

    message = "Only staff members have this; API keys do not"
    error_extensions = {"code": ErrorCode.FORBIDDEN.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.staff_id is not None


def requires(*scopes: str, staff: bool = False) -> list[PermissionExtension]:
    """Field extensions: signed in, holding every one of `scopes` (and a staff member)."""
    checks: list[BasePermission] = [IsAuthenticated()]
    if staff:
        checks.append(IsStaff())
    checks.extend(HasScope(s) for s in scopes)
    return [PermissionExtension(permissions=checks)]
