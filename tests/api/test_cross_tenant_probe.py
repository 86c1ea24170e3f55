"""Tenant isolation, probed generically over the schema by introspection.

For every query and mutation that takes an ID (directly or inside an input), tenant B's
admin calls it with tenant A's global ids of every Node type. Where the id is required,
and in every mutation, the answer must be NOT_FOUND or FORBIDDEN; where a query takes
it optionally (filters), the answer may be empty but must not contain tenant A's ids.
Tenant A's rows must not change. New queries and mutations are probed without anyone
adding them here. A Node type's GraphQL name must equal its tortoise model's name, and
tenant A (tests.conftest.make_org) must hold a row of it, so the probe has an id to try.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise

from api.db import scoped
from api.org.service.actors import actor_for_staff
from api.relay import encode_id
from tests.conftest import GQL, Org

INTROSPECT = """
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name } } } } }
query {
  __schema {
    queryType { name } mutationType { name }
    types {
      kind name possibleTypes { name } interfaces { name }
      fields { name args { name type { ...T } } type { ...T } }
      inputFields { name type { ...T } }
      enumValues { name }
    }
  }
}"""

ALLOWED = {"NOT_FOUND", "FORBIDDEN"}
SAMPLE_STRINGS = {
    "email": "probe@example.com",
    "password": "probe-password-123",
    "tenant": "tenant-b",
    "phone": "+8613800000000",
}


class Probe:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.types = {t["name"]: t for t in schema["types"]}
        self.query = schema["queryType"]["name"]
        self.mutation = schema["mutationType"]["name"]

    @staticmethod
    def unwrap(t: dict) -> tuple[dict, bool, bool]:
        """(named type, non-null, is list)"""
        non_null = t["kind"] == "NON_NULL"
        if non_null:
            t = t["ofType"]
        is_list = t["kind"] == "LIST"
        while t.get("ofType"):
            t = t["ofType"]
        return t, non_null, is_list

    def has_id(self, t: dict, seen: frozenset[str] = frozenset()) -> bool:
        named, _, _ = self.unwrap(t)
        if named["name"] == "ID":
            return True
        if named["kind"] == "INPUT_OBJECT" and named["name"] not in seen:
            fields = self.types[named["name"]]["inputFields"]
            return any(self.has_id(f["type"], seen | {named["name"]}) for f in fields)
        return False

    def value(
        self,
        name: str,
        t: dict,
        gid: str,
        required_path: bool,
        seen: frozenset[str] = frozenset(),
    ) -> tuple[Any, bool]:
        """A literal value for an argument/input field; (value, id sits on a required path).
        Recursive inputs (where: {and: [...]}) are entered once."""
        named, non_null, is_list = self.unwrap(t)
        kind, tname = named["kind"], named["name"]
        if tname == "ID":
            v, req = gid, required_path and non_null
        elif kind == "INPUT_OBJECT":
            v, req = {}, False
            for f in self.types[tname]["inputFields"]:
                f_named, f_non_null, _ = self.unwrap(f["type"])
                if f_named["name"] in seen | {tname} and not f_non_null:
                    continue
                if f_non_null or self.has_id(f["type"]):
                    v[f["name"]], f_req = self.value(
                        f["name"], f["type"], gid, required_path and non_null, seen | {tname}
                    )
                    req = req or f_req
        elif kind == "ENUM":
            v, req = self.types[tname]["enumValues"][0]["name"], False
        elif tname == "String":
            v, req = SAMPLE_STRINGS.get(name, "probe"), False
        elif tname == "Int":
            v, req = 1, False
        elif tname == "Float":
            v, req = 1.0, False
        elif tname == "Boolean":
            v, req = False, False
        elif tname == "DateTime":
            v, req = datetime.now(UTC).isoformat(), False
        else:
            v, req = {}, False
        return ([v] if is_list else v), req

    def selection(self, t: dict, depth: int = 0) -> str:
        named, _, _ = self.unwrap(t)
        info = self.types[named["name"]]
        if info["kind"] in ("SCALAR", "ENUM"):
            return ""
        if depth >= 3:
            return "{ __typename }"
        parts = ["__typename"]
        if info["kind"] in ("INTERFACE", "UNION"):
            parts.append("... on Node { id }")
        for f in info.get("fields") or []:
            if any(self.unwrap(a["type"])[1] for a in f["args"]):
                continue
            sub = self.selection(f["type"], depth + 1)
            parts.append(f"{f['name']} {sub}")
        return "{ " + " ".join(parts) + " }"


def to_literal(value: Any, enum_hint: bool = False) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {to_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_literal(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.isupper() and value.replace("_", "").isalpha():
        return value  # enum value
    return json.dumps(value)


async def tenant_a_ids(org_a: Org, node_types: list[str]) -> dict[str, str]:
    """One global id per Node type, of a row tenant A's admin may see."""
    models = Tortoise.apps["scrm"]
    actor = await actor_for_staff(org_a.people["admin"])
    ids = {}
    for name in node_types:
        assert name in models, f"Node type {name} has no tortoise model of the same name"
        row = await scoped(actor, models[name]).order_by("id").first()
        assert row is not None, f"tenant A holds no {name}; add one in tests.conftest.make_org"
        ids[name] = encode_id(name, row.id)
    return ids


async def snapshot(org_a: Org) -> str:
    parts = []
    for name, model in sorted(Tortoise.apps["scrm"].items()):
        fields = model._meta.fields_map
        key = "tenant_id" if "tenant_id" in model._meta.db_fields else None
        if name == "Tenant":
            rows = await model.filter(id=org_a.tenant.id).values()
        elif key:
            rows = await model.filter(tenant_id=org_a.tenant.id).order_by("id").values()
        else:
            continue
        parts.append(f"{name}:{sorted(map(str, rows))}:{len(fields)}")
    return "\n".join(parts)


async def test_tenant_b_cannot_reach_tenant_a_through_any_id(
    gql: GQL, org_a: Org, org_b: Org
) -> None:
    b_admin = gql.as_(org_b.token("admin"))
    probe = Probe((await b_admin.ok(INTROSPECT))["__schema"])
    node_types = sorted(
        t["name"]
        for t in probe.types.values()
        if t["kind"] == "OBJECT" and any(i["name"] == "Node" for i in t["interfaces"] or [])
    )
    a_ids = await tenant_a_ids(org_a, node_types)

    # Positive control: tenant A's admin reaches each of these ids.
    a_admin = gql.as_(org_a.token("admin"))
    for name, gid in a_ids.items():
        if name == "Tenant":
            continue
        data = await a_admin.ok("query($id: ID!) { node(id: $id) { id } }", {"id": gid})
        assert data["node"]["id"] == gid, name

    before = await snapshot(org_a)
    probed: set[str] = set()
    for root, op in ((probe.query, "query"), (probe.mutation, "mutation")):
        for field in probe.types[root]["fields"]:
            if not any(probe.has_id(a["type"]) for a in field["args"]):
                continue
            probed.add(field["name"])
            for type_name, gid in a_ids.items():
                args, required = [], False
                for arg in field["args"]:
                    if probe.unwrap(arg["type"])[1] or probe.has_id(arg["type"]):
                        value, req = probe.value(arg["name"], arg["type"], gid, True)
                        required = required or req
                        args.append(f"{arg['name']}: {to_literal(value)}")
                arglist = f"({', '.join(args)})" if args else ""
                document = f"{op} {{ {field['name']}{arglist} {probe.selection(field['type'])} }}"
                result = await b_admin(document)
                where = f"{field['name']} with tenant A's {type_name}: {document}\n{result}"
                codes = {e.get("extensions", {}).get("code") for e in result.get("errors") or []}
                assert codes <= ALLOWED, where
                # A mutation given a foreign id anywhere must refuse; a query must when
                # the id is required (an optional filter may just match nothing).
                if required or op == "mutation":
                    assert codes, where
                    assert (result.get("data") or {}).get(field["name"]) is None, where
                text = json.dumps(result.get("data"))
                assert not any(a_gid in text for a_gid in a_ids.values()), where

    assert await snapshot(org_a) == before, "tenant A's rows changed"
    # The probe covers what exists today; it grows with the schema by itself.
    assert {
        "node",
        "staff",
        "createStaff",
        "updateStaff",
        "disableStaff",
        "enableStaff",
        "createDepartment",
        "updateDepartment",
        "revokeApiKey",
        "markNotificationRead",
    } <= probed
