"""GraphQL conventions: limits, error codes and masking, descriptions, SDL snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.schema import schema
from tests.conftest import GQL, Org

SDL_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


async def test_depth_limit_rejects_deep_queries(gql: GQL, org_a: Org) -> None:
    deep = "{ me { department " + "{ parent " * 9 + "{ name }" + " }" * 9 + " } }"
    error = await gql.as_(org_a.token("admin")).error(deep)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in error["message"]


async def test_token_limit_rejects_huge_documents(gql: GQL, org_a: Org) -> None:
    huge = "{ " + " ".join(f"a{i}: tenant {{ name }}" for i in range(25)) * 20 + " }"
    error = await gql.as_(org_a.token("admin")).error(huge)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_unknown_fields_and_bad_variable_types_are_coded(gql: GQL, org_a: Org) -> None:
    client = gql.as_(org_a.token("admin"))
    error = await client.error("{ nope }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    error = await client.error("query($f: Int) { staff(first: $f) { totalCount } }", {"f": "x"})
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_malformed_global_id_is_not_found(gql: GQL, org_a: Org) -> None:
    client = gql.as_(org_a.token("admin"))
    for bad in ("not-base64!", "U29tZXRoaW5nOjE=", "U3RhZmY6YWJj"):  # junk, Something:1, Staff:abc
        error = await client.error("query($id: ID!) { node(id: $id) { id } }", {"id": bad})
        assert error["extensions"]["code"] == "NOT_FOUND", bad


async def test_unexpected_errors_are_masked(
    gql: GQL, org_a: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.org.service import actors

    async def broken(_actor: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(actors, "tenant_of", broken)
    error = await gql.as_(org_a.token("admin")).error("{ tenant { name } }")
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in error["message"]


def test_every_type_field_and_argument_has_a_description() -> None:
    graphql_schema = schema._schema
    missing = []
    for name, type_ in graphql_schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not type_.description:
            missing.append(name)
        for field_name, field in (getattr(type_, "fields", None) or {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in (getattr(field, "args", None) or {}).items():
                if not arg.description:
                    missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_committed_sdl_matches_the_schema() -> None:
    """`scrm schema -o schema.graphql` after a schema change; the diff shows in review."""
    assert SDL_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n"
