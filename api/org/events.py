"""Events of the organisation domain: their catalogue entries, and the serializers that
turn a row into an event payload (its state after the change; never secrets)."""

from __future__ import annotations

from typing import Any

from api.events.catalogue import (
    DATETIME,
    GLOBAL_ID,
    NULLABLE_DATETIME,
    NULLABLE_GLOBAL_ID,
    NULLABLE_STRING,
    object_schema,
    register_entity,
    register_event_type,
)
from api.org.models import ApiKey, Department, Staff
from api.relay import encode_id, encode_optional_id


def staff_state(row: Staff) -> dict[str, Any]:
    return {
        "id": encode_id("Staff", row.id),
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "roles": sorted(row.roles),
        "active": row.active,
        "departmentId": encode_optional_id("Department", row.department_id),
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


def department_state(row: Department) -> dict[str, Any]:
    return {
        "id": encode_id("Department", row.id),
        "name": row.name,
        "parentId": encode_optional_id("Department", row.parent_id),
        "depth": row.path.count("/") - 2,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


def api_key_state(row: ApiKey) -> dict[str, Any]:
    return {
        "id": encode_id("ApiKey", row.id),
        "name": row.name,
        "prefix": f"scrm_{row.lookup}_",
        "scopes": list(row.scopes),
        "createdById": encode_optional_id("Staff", row.created_by_id),
        "createdAt": row.created_at,
        "revokedAt": row.revoked_at,
    }


STAFF_SCHEMA = object_schema(
    "The staff member after the change.",
    {
        "id": GLOBAL_ID,
        "name": {"type": "string"},
        "email": {"type": "string"},
        "phone": NULLABLE_STRING,
        "roles": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "active": {"type": "boolean"},
        "departmentId": NULLABLE_GLOBAL_ID,
        "createdAt": DATETIME,
        "updatedAt": DATETIME,
    },
)
DEPARTMENT_SCHEMA = object_schema(
    "The department after the change.",
    {
        "id": GLOBAL_ID,
        "name": {"type": "string"},
        "parentId": NULLABLE_GLOBAL_ID,
        "depth": {"type": "integer", "minimum": 0},
        "createdAt": DATETIME,
        "updatedAt": DATETIME,
    },
)
API_KEY_SCHEMA = object_schema(
    "The API key's record after the change (never the key itself).",
    {
        "id": GLOBAL_ID,
        "name": {"type": "string"},
        "prefix": {"type": "string"},
        "scopes": {"type": "array", "items": {"type": "string"}},
        "createdById": NULLABLE_GLOBAL_ID,
        "createdAt": DATETIME,
        "revokedAt": NULLABLE_DATETIME,
    },
)

register_entity("staff", node_type="Staff", model=Staff)
register_entity("department", node_type="Department", model=Department)
register_entity("api_key", node_type="ApiKey", model=ApiKey)

for _name, _description in (
    ("staff.created", "A staff member was created."),
    ("staff.updated", "A staff member was changed; `changed` lists the fields."),
    ("staff.disabled", "A staff member was disabled: they can no longer sign in."),
    ("staff.enabled", "A disabled staff member was enabled again."),
):
    register_event_type(_name, _description, STAFF_SCHEMA, scope="org:read")
for _name, _description in (
    ("department.created", "A department was created."),
    ("department.updated", "A department was renamed or moved; `changed` lists the fields."),
):
    register_event_type(_name, _description, DEPARTMENT_SCHEMA, scope="org:read")
for _name, _description in (
    ("apikey.created", "An API key was created."),
    ("apikey.revoked", "An API key was revoked."),
):
    register_event_type(_name, _description, API_KEY_SCHEMA, scope="apikeys:manage")
