"""compile_fields: the JSON Schema, UI hints, caching, and the CompiledFields methods."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from schemas.compiler import compile_fields
from schemas.errors import InvalidDefinition, Issue
from tests.schemas.helpers import doc, field, select

SECTIONS = [{"key": "basic", "label": "Basic"}, {"key": "biz", "label": "Business"}]
DOCUMENT = doc(
    field("name", "text", required=True, section="basic", order=2, help_text="Legal name"),
    field("mobile", "phone", unique=True, section="basic", order=1, visible_to=["staff"]),
    field("email", "email", unique=True, order=5),
    field("budget", "money", section="biz", order=3, rules={"currency": "USD"}),
    select("level", required=True, default="a", section="biz", order=4),
    select("tags", "multi_select", default=["b"], order=6),
    field("owner", "staff_ref", order=7),
    field("dept", "department_ref", order=8),
    field("helper", "staff_ref", order=9),
    field("region", "region", order=10),
    field("vip", "boolean", order=11),
    field("seen", "datetime", order=12),
    field("old_code", "text", required=True, archived=True, order=0),
    sections=SECTIONS,
)


@pytest.fixture(scope="module")
def compiled():
    return compile_fields(DOCUMENT)


def test_same_document_compiles_to_the_same_object(compiled) -> None:
    assert compile_fields(copy.deepcopy(DOCUMENT)) is compiled
    reordered = {"sections": DOCUMENT["sections"], "fields": DOCUMENT["fields"]}
    assert compile_fields(reordered) is compiled


def test_different_document_compiles_to_another_object(compiled) -> None:
    other = copy.deepcopy(DOCUMENT)
    other["fields"][0]["label"] = "Full name"
    result = compile_fields(other)
    assert result is not compiled
    assert result.digest != compiled.digest
    assert result.json_schema["properties"]["name"]["title"] == "Full name"


def test_invalid_document_raises_with_issues() -> None:
    with pytest.raises(InvalidDefinition) as raised:
        compile_fields(doc(field("a", "boolean", unique=True)))
    assert raised.value.issues == [
        Issue(("fields", 0, "unique"), "unique_not_allowed", "a boolean field cannot be unique")
    ]


def test_json_schema_document(compiled) -> None:
    schema = compiled.json_schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "level"]  # archived old_code is not required
    assert list(schema["properties"]) == [f["key"] for f in DOCUMENT["fields"]]
    assert schema["properties"]["old_code"]["deprecated"] is True
    assert schema["properties"]["level"] == {
        "type": "string",
        "enum": ["a", "b", "c"],
        "title": "Level",
        "default": "a",
    }
    assert schema["properties"]["name"]["description"] == "Legal name"
    assert schema["properties"]["budget"]["properties"]["currency"]["const"] == "USD"
    Draft202012Validator.check_schema(schema)  # a valid 2020-12 document


def test_archived_field_is_still_accepted(compiled) -> None:
    assert compiled.validate({"name": "x", "level": "a", "old_code": "X-1"}) == []


def test_field_specs_and_unique_keys(compiled) -> None:
    budget = compiled.fields["budget"]
    assert (budget.type, budget.rules) == ("money", {"currency": "USD", "max_decimals": 2})
    assert compiled.fields["old_code"].archived is True
    assert compiled.fields["old_code"].enforced_required is False
    assert compiled.fields["level"].default == "a"
    assert compiled.unique_keys == ("mobile", "email")


def test_filterable_kinds(compiled) -> None:
    assert compiled.filterable == {
        "name": "text",
        "mobile": "text",
        "email": "text",
        "budget.amount": "number",
        "budget.currency": "text",
        "level": "text",
        "tags": "array",
        "owner": "number",
        "dept": "number",
        "helper": "number",
        "region.province": "text",
        "region.city": "text",
        "region.district": "text",
        "region.code": "text",
        "vip": "boolean",
        "seen": "datetime",
        "old_code": "text",
    }


def test_ui_hints_order_sections_and_widgets(compiled) -> None:
    hints = compiled.ui_hints
    assert hints["order"] == [
        "mobile",
        "name",
        "budget",
        "level",
        "email",
        "tags",
        "owner",
        "dept",
        "helper",
        "region",
        "vip",
        "seen",
    ]
    assert hints["sections"] == [
        {"key": "basic", "label": "Basic", "fields": ["mobile", "name"]},
        {"key": "biz", "label": "Business", "fields": ["budget", "level"]},
    ]
    assert hints["archived"] == ["old_code"]
    assert "old_code" not in hints["fields"]
    widgets = {key: hint["widget"] for key, hint in hints["fields"].items()}
    assert widgets == {
        "name": "input",
        "mobile": "phone",
        "email": "email",
        "budget": "money",
        "level": "select",
        "tags": "multiselect",
        "owner": "staff_picker",
        "dept": "department_picker",
        "helper": "staff_picker",
        "region": "region_picker",
        "vip": "switch",
        "seen": "datetime",
    }
    assert hints["fields"]["name"]["help_text"] == "Legal name"
    assert hints["fields"]["name"]["required"] is True
    assert hints["fields"]["mobile"]["visible_to"] == ["staff"]
    assert hints["fields"]["level"]["options"] == [
        {"value": "a", "label": "A"},
        {"value": "b", "label": "B"},
        {"value": "c", "label": "C"},
    ]
    assert hints["fields"]["budget"]["currency"] == "USD"


@pytest.mark.parametrize(
    ("type_", "widget"),
    [
        ("text", "input"),
        ("long_text", "textarea"),
        ("number", "number"),
        ("date", "date"),
        ("url", "url"),
        ("boolean", "switch"),
    ],
)
def test_widget_per_type(type_: str, widget: str) -> None:
    hints = compile_fields(doc(field("v", type_))).ui_hints
    assert hints["fields"]["v"]["widget"] == widget


def test_visible_keys(compiled) -> None:
    assert "mobile" in compiled.visible_keys("staff")
    assert "mobile" not in compiled.visible_keys("agent")
    assert compiled.visible_keys("agent")[:2] == ("name", "budget")


def test_three_bad_fields_give_three_issues(compiled) -> None:
    issues = compiled.validate(
        {
            "name": "Ann",
            "level": "a",
            "email": "a@b",
            "vip": "yes",
            "region": {"city": "x"},
            "bogus": 1,
        }
    )
    assert [(i.path, i.rule) for i in issues] == [
        (("email",), "email"),
        (("region", "province"), "required"),
        (("vip",), "type"),
        (("bogus",), "unknown_property"),
    ]


def test_required_points_at_the_field(compiled) -> None:
    issues = compiled.validate({})
    assert [(i.path, i.rule, i.message) for i in issues] == [
        (("name",), "required", "is required"),
        (("level",), "required", "is required"),
    ]


def test_partial_skips_absent_required_only(compiled) -> None:
    assert compiled.validate({"email": "x@example.com"}, partial=True) == []
    assert [(i.path, i.rule) for i in compiled.validate({"name": None}, partial=True)] == [
        (("name",), "required")
    ]
    nested = compiled.validate({"region": {"city": "x"}}, partial=True)
    assert [(i.path, i.rule) for i in nested] == [(("region", "province"), "required")]


def test_values_must_be_an_object(compiled) -> None:
    assert compiled.validate(["name"]) == [Issue((), "type", "must be an object")]


def test_with_defaults_fills_absent_keys_only(compiled) -> None:
    filled = compiled.with_defaults({"name": "Ann", "tags": ["c"]})
    assert filled == {"name": "Ann", "tags": ["c"], "level": "a"}
    again = compiled.with_defaults({"name": "Ann"})
    again["tags"].append("z")
    assert compiled.fields["tags"].default == ["b"]  # defaults are copied, not shared


def test_refs_per_kind(compiled) -> None:
    values = {"owner": 7, "helper": 7, "dept": 3, "name": "x"}
    assert compiled.refs(values) == {"staff_ref": [7], "department_ref": [3]}
    assert compiled.refs({"owner": None}) == {"staff_ref": [], "department_ref": []}


def test_validate_field(compiled) -> None:
    assert compiled.validate_field("email", "ok@example.com") == []
    assert [i.rule for i in compiled.validate_field("email", "nope")] == ["email"]
    with pytest.raises(KeyError):
        compiled.validate_field("missing", 1)


def test_canonicalize_moves_datetimes_to_utc(compiled) -> None:
    result = compiled.canonicalize({"seen": "2026-01-31T09:30:00+08:00", "name": "x"})
    assert result == {"seen": "2026-01-31T01:30:00Z", "name": "x"}


NORMALIZE = [
    ("phone", "+86 138-0013 8000", "+8613800138000"),
    ("phone", "(010) 1234.5678", "01012345678"),
    ("email", "  Ann.Lee@Example.COM ", "ann.lee@example.com"),
    ("text", "  ACME \uff2c\uff54\uff44 ", "acme ltd"),  # full-width "Ltd"
    ("text", "Straße", "strasse"),
    ("url", "HTTPS://Example.COM:443", "https://example.com/"),
    ("url", "http://Example.com:8080/A?b=C#frag", "http://example.com:8080/A?b=C"),
    ("number", 1.50, "1.5"),
    ("number", 100, "100"),
    ("number", -0.0, "0"),
]


@pytest.mark.parametrize(("type_", "value", "expected"), NORMALIZE)
def test_normalize_unique(type_: str, value: object, expected: str) -> None:
    compiled = compile_fields(doc(field("v", type_, unique=True)))
    assert compiled.unique_keys == ("v",)
    assert compiled.normalize_unique("v", value) == expected


def test_normalize_unique_refuses_null_and_other_types(compiled) -> None:
    with pytest.raises(ValueError, match="null"):
        compiled.normalize_unique("email", None)
    with pytest.raises(ValueError, match="cannot be a dedup key"):
        compiled.normalize_unique("vip", True)
