"""Shared pieces of the customers tests: a field definition and publishing it."""

from __future__ import annotations

from typing import Any

from api.org.service.actors import actor_for_staff
from tests.conftest import GQL, Org, make_org

FIELDS: dict[str, Any] = {
    "sections": [{"key": "basic", "label": "Basic"}],
    "fields": [
        {"key": "phone", "label": "Phone", "type": "phone", "unique": True, "section": "basic"},
        {"key": "email", "label": "Email", "type": "email", "unique": True},
        {
            "key": "level",
            "label": "Level",
            "type": "single_select",
            "rules": {
                "options": [
                    {"value": "A", "label": "A"},
                    {"value": "B", "label": "B"},
                    {"value": "C", "label": "C"},
                ]
            },
        },
        {
            "key": "interests",
            "label": "Interests",
            "type": "multi_select",
            "rules": {
                "options": [{"value": "golf", "label": "Golf"}, {"value": "tea", "label": "Tea"}]
            },
        },
        {"key": "budget", "label": "Budget", "type": "number", "rules": {"min": 0}},
        {"key": "birthday", "label": "Birthday", "type": "date"},
        {"key": "vip", "label": "VIP", "type": "boolean"},
        {"key": "note", "label": "Note", "type": "long_text"},
    ],
}

SAVE_DRAFT = """mutation($doc: JSON!) { saveFieldDefinitionDraft(input: {kind: CUSTOMER_FIELDS,
  document: $doc}) { draft { updatedAt } } }"""
PUBLISH = """mutation($migration: JSON) { publishFieldDefinition(input: {kind: CUSTOMER_FIELDS,
  migration: $migration}) { schema { version } migration { id status total } } }"""
CREATE = """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
  customer { id name fields schemaVersion owner { name } } } }"""


async def publish(gql: GQL, org: Org, document: dict[str, Any] = FIELDS) -> dict:
    admin = gql.as_(org.token("admin"))
    await admin.ok(SAVE_DRAFT, {"doc": document})
    return await admin.ok(PUBLISH, {"migration": None})


async def org_with_fields(gql: GQL) -> Org:
    org = await make_org()
    await publish(gql, org)
    return org


async def create(gql: GQL, org: Org, who: str, name: str, **fields: Any) -> dict:
    data = await gql.as_(org.token(who)).ok(CREATE, {"input": {"name": name, "fields": fields}})
    return data["createCustomer"]["customer"]


async def admin_actor(org: Org):
    return await actor_for_staff(org.people["admin"])


def pk(global_id: str) -> int:
    """The database id inside a global id."""
    import base64

    return int(base64.b64decode(global_id).decode().split(":")[1])
