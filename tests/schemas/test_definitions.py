"""check_definition: meta-schema rejections and cross-field checks, with precise paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from schemas.definitions import DEFINITION_KINDS, check_definition
from schemas.meta_schemas import FIELD_TYPES_DIR, META_DIR, meta_validator
from tests.schemas.helpers import doc, field, select

SECTIONS = [{"key": "basic", "label": "Basic"}]


def found(document: Any, kind: str = "customer_fields") -> list[tuple[tuple, str]]:
    return [(i.path, i.rule) for i in check_definition(kind, document)]


def test_a_full_document_is_accepted() -> None:
    document = doc(
        field(
            "name",
            "text",
            required=True,
            unique=True,
            section="basic",
            order=1,
            help_text="Full name",
            visible_to=["admin", "staff"],
            default="anon",
            rules={"max_length": 50, "pattern": "^\\S"},
        ),
        field(
            "price",
            "money",
            rules={"min": "0", "max": 99999, "currency": "USD"},
            default={"amount": "1.50", "currency": "USD"},
        ),
        select("tags", "multi_select", rules={"max_items": 2}, default=["a"]),
        field("gone", "boolean", archived=True),
        sections=SECTIONS,
    )
    assert check_definition("customer_fields", document) == []
    assert check_definition("lead_fields", document) == []


REJECTIONS = [
    ("bad key pattern", doc(field("Name", "text")), [(("fields", 0, "key"), "pattern")]),
    ("key starts with digit", doc(field("1a", "text")), [(("fields", 0, "key"), "pattern")]),
    ("unknown type", doc(field("a", "colour")), [(("fields", 0, "type"), "enum")]),
    ("missing label", doc({"key": "a", "type": "text"}), [(("fields", 0, "label"), "required")]),
    (
        "label too long",
        doc({"key": "a", "label": "x" * 101, "type": "text"}),
        [(("fields", 0, "label"), "max_length")],
    ),
    (
        "unknown property",
        doc(field("a", "text", colour="red")),
        [(("fields", 0, "colour"), "unknown_property")],
    ),
    (
        "options missing",
        doc(field("s", "single_select")),
        [(("fields", 0, "rules", "options"), "required")],
    ),
    (
        "options missing in rules",
        doc(field("s", "multi_select", rules={"max_items": 2})),
        [(("fields", 0, "rules", "options"), "required")],
    ),
    (
        "options empty",
        doc(field("s", "single_select", rules={"options": []})),
        [(("fields", 0, "rules", "options"), "min_items")],
    ),
    (
        "option without label",
        doc(field("s", "single_select", rules={"options": [{"value": "a"}]})),
        [(("fields", 0, "rules", "options", 0, "label"), "required")],
    ),
    (
        "rule not allowed for type",
        doc(field("a", "text", rules={"min": 1})),
        [(("fields", 0, "rules", "min"), "unknown_property")],
    ),
    (
        "options on text",
        doc(field("a", "text", rules={"options": []})),
        [(("fields", 0, "rules", "options"), "unknown_property")],
    ),
    (
        "bad regex",
        doc(field("a", "text", rules={"pattern": "("})),
        [(("fields", 0, "rules", "pattern"), "regex")],
    ),
    (
        "bad currency",
        doc(field("m", "money", rules={"currency": "usd"})),
        [(("fields", 0, "rules", "currency"), "pattern")],
    ),
    (
        "money min not decimal",
        doc(field("m", "money", rules={"min": "1.2.3"})),
        [(("fields", 0, "rules", "min"), "decimal")],
    ),
    (
        "unknown role",
        doc(field("a", "text", visible_to=["boss"])),
        [(("fields", 0, "visible_to", 0), "enum")],
    ),
    (
        "unique on boolean",
        doc(field("b", "boolean", unique=True)),
        [(("fields", 0, "unique"), "unique_not_allowed")],
    ),
    (
        "unique on select",
        doc(select("s", unique=True)),
        [(("fields", 0, "unique"), "unique_not_allowed")],
    ),
    (
        "duplicate keys",
        doc(field("a", "text"), field("b", "text"), field("a", "number")),
        [(("fields", 2, "key"), "duplicate_key")],
    ),
    (
        "section not declared",
        doc(field("a", "text", section="extra"), sections=SECTIONS),
        [(("fields", 0, "section"), "unknown_section")],
    ),
    (
        "section without sections",
        doc(field("a", "text", section="basic")),
        [(("fields", 0, "section"), "unknown_section")],
    ),
    (
        "duplicate section",
        doc(field("a", "text"), sections=SECTIONS * 2),
        [(("sections", 1, "key"), "duplicate_key")],
    ),
    (
        "duplicate option value",
        doc(
            field(
                "s",
                "single_select",
                rules={"options": [{"value": "x", "label": "X"}, {"value": "x", "label": "Y"}]},
            )
        ),
        [(("fields", 0, "rules", "options", 1, "value"), "duplicate_option")],
    ),
    (
        "min above max",
        doc(field("n", "number", rules={"min": 5, "max": 1})),
        [(("fields", 0, "rules", "min"), "inconsistent_rules")],
    ),
    (
        "min_length above max_length",
        doc(field("t", "text", rules={"min_length": 9, "max_length": 3})),
        [(("fields", 0, "rules", "min_length"), "inconsistent_rules")],
    ),
    (
        "min_items above options",
        doc(select("s", "multi_select", rules={"min_items": 4})),
        [(("fields", 0, "rules", "min_items"), "inconsistent_rules")],
    ),
    (
        "default not an option",
        doc(select("s", default="z")),
        [(("fields", 0, "default"), "invalid_default")],
    ),
    (
        "default wrong type",
        doc(field("n", "number", default="5")),
        [(("fields", 0, "default"), "invalid_default")],
    ),
    (
        "default breaks rule",
        doc(field("t", "text", rules={"max_length": 2}, default="abc")),
        [(("fields", 0, "default"), "invalid_default")],
    ),
    (
        "money default nested",
        doc(field("m", "money", default={"amount": "x", "currency": "CNY"})),
        [(("fields", 0, "default", "amount"), "invalid_default")],
    ),
    ("fields missing", {"sections": []}, [(("fields",), "required")]),
    ("top-level extra", {"fields": [], "extra": 1}, [(("extra",), "unknown_property")]),
]


@pytest.mark.parametrize(
    ("document", "expected"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_rejections_have_precise_paths(document: dict, expected: list) -> None:
    assert found(document) == expected


def test_all_problems_are_reported_at_once() -> None:
    document = doc(
        field("Bad", "text"),
        field("b", "nope"),
        field("c", "boolean", unique=True),
        select("d", default="zz"),
    )
    assert found(document) == [
        (("fields", 0, "key"), "pattern"),
        (("fields", 1, "type"), "enum"),
        (("fields", 2, "unique"), "unique_not_allowed"),
        (("fields", 3, "default"), "invalid_default"),
    ]


def test_invalid_default_message_says_why() -> None:
    (issue,) = check_definition("customer_fields", doc(select("s", default="z")))
    assert issue.message == "the default must be one of: 'a', 'b', 'c'"


def test_not_an_object() -> None:
    assert found(["fields"]) == [((), "type")]


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown definition kind"):
        check_definition("sop_templates", doc())


def test_registry_shares_the_field_meta_schema() -> None:
    assert {"customer_fields", "lead_fields", "lifecycle_stages"} <= set(DEFINITION_KINDS)
    assert DEFINITION_KINDS["customer_fields"] is DEFINITION_KINDS["lead_fields"]
    assert DEFINITION_KINDS["customer_fields"].meta == "field_definitions"
    assert DEFINITION_KINDS["lifecycle_stages"].meta == "lifecycle_stages"


def test_field_types_come_from_the_type_files() -> None:
    names = sorted(path.stem for path in FIELD_TYPES_DIR.glob("*.json"))
    assert len(names) == 15
    enum = (
        meta_validator("field_definitions")
        ._resolver.lookup("urn:scrm:meta:field_types#/$defs/name")
        .contents["enum"]
    )
    assert enum == names


def test_lifecycle_stages() -> None:
    good = {
        "stages": [
            {"key": "new", "label": "New", "order": 1, "color": "#aabbcc"},
            {"key": "won", "label": "Won", "order": 2, "is_final": True},
        ]
    }
    assert found(good, "lifecycle_stages") == []
    assert found({"stages": []}, "lifecycle_stages") == [(("stages",), "min_items")]
    dup = {
        "stages": [{"key": "a", "label": "A", "order": 1}, {"key": "a", "label": "B", "order": 2}]
    }
    assert found(dup, "lifecycle_stages") == [(("stages", 1, "key"), "duplicate_key")]
    bad = {"stages": [{"key": "a", "label": "A", "color": "red"}]}
    assert found(bad, "lifecycle_stages") == [
        (("stages", 0, "color"), "pattern"),
        (("stages", 0, "order"), "required"),
    ]


def test_meta_files_are_valid_2020_12_schemas() -> None:
    paths = [*META_DIR.glob("*.json"), *FIELD_TYPES_DIR.glob("*.json")]
    assert len(paths) == 18
    for path in paths:
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
