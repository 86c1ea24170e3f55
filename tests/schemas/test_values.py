"""Record values of every field type: what is accepted, what is refused, with which rule
and at which path."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.compiler import compile_fields
from tests.schemas.helpers import doc, field, select

TEXT = field("v", "text", rules={"min_length": 2, "max_length": 5, "pattern": "^[a-z]+$"})
LONG = field("v", "long_text", rules={"max_length": 10})
NUMBER = field("v", "number", rules={"min": 0, "max": 100, "max_decimals": 1})
MONEY = field("v", "money", rules={"min": "0", "max": "1000.00"})
USD = field("v", "money", rules={"currency": "USD", "max_decimals": 0})
SINGLE = select("v")
MULTI = select("v", "multi_select", rules={"min_items": 1, "max_items": 2})

CASES: list[tuple[str, dict[str, Any], Any, list[tuple[tuple, str]]]] = [
    # text / long_text
    ("text ok", TEXT, "abc", []),
    ("text too short", TEXT, "a", [(("v",), "min_length")]),
    ("text too long", TEXT, "abcdef", [(("v",), "max_length")]),
    ("text pattern", TEXT, "ab1", [(("v",), "pattern")]),
    ("text not a string", TEXT, 12, [(("v",), "type")]),
    ("text default cap 500", field("v", "text"), "x" * 501, [(("v",), "max_length")]),
    ("long_text ok", LONG, "line\nline", []),
    ("long_text too long", LONG, "x" * 11, [(("v",), "max_length")]),
    # number
    ("number int", NUMBER, 42, []),
    ("number float", NUMBER, 42.5, []),
    ("number below min", NUMBER, -1, [(("v",), "min")]),
    ("number above max", NUMBER, 100.5, [(("v",), "max")]),
    ("number decimals", NUMBER, 1.25, [(("v",), "max_decimals")]),
    ("number as string", NUMBER, "42", [(("v",), "type")]),
    ("number bool", NUMBER, True, [(("v",), "type")]),
    # money
    ("money ok", MONEY, {"amount": "999.99", "currency": "CNY"}, []),
    ("money integer amount", MONEY, {"amount": "5", "currency": "CNY"}, []),
    (
        "money above max",
        MONEY,
        {"amount": "1000.01", "currency": "CNY"},
        [(("v", "amount"), "max")],
    ),
    ("money below min", MONEY, {"amount": "-0.01", "currency": "CNY"}, [(("v", "amount"), "min")]),
    (
        "money 3 decimals",
        MONEY,
        {"amount": "1.234", "currency": "CNY"},
        [(("v", "amount"), "max_decimals")],
    ),
    (
        "money not decimal",
        MONEY,
        {"amount": "1,5", "currency": "CNY"},
        [(("v", "amount"), "decimal")],
    ),
    ("money exponent", MONEY, {"amount": "1e3", "currency": "CNY"}, [(("v", "amount"), "decimal")]),
    (
        "money number amount",
        MONEY,
        {"amount": 12.5, "currency": "CNY"},
        [(("v", "amount"), "type")],
    ),
    (
        "money wrong currency",
        MONEY,
        {"amount": "1", "currency": "USD"},
        [(("v", "currency"), "const")],
    ),
    ("money missing currency", MONEY, {"amount": "1"}, [(("v", "currency"), "required")]),
    (
        "money extra key",
        MONEY,
        {"amount": "1", "currency": "CNY", "fx": 1},
        [(("v", "fx"), "unknown_property")],
    ),
    ("money usd whole", USD, {"amount": "12", "currency": "USD"}, []),
    (
        "money usd cents",
        USD,
        {"amount": "12.5", "currency": "USD"},
        [(("v", "amount"), "max_decimals")],
    ),
    # date / datetime
    ("date ok", field("v", "date"), "2024-02-29", []),
    ("date not existing", field("v", "date"), "2026-02-30", [(("v",), "date")]),
    ("date wrong shape", field("v", "date"), "2026/01/02", [(("v",), "date")]),
    ("datetime ok", field("v", "datetime"), "2026-01-31T09:30:00+08:00", []),
    ("datetime zulu", field("v", "datetime"), "2026-01-31T01:30:00.123Z", []),
    ("datetime no tz", field("v", "datetime"), "2026-01-31T09:30:00", [(("v",), "datetime")]),
    ("datetime bad hour", field("v", "datetime"), "2026-01-31T25:30:00Z", [(("v",), "datetime")]),
    # boolean
    ("boolean ok", field("v", "boolean"), False, []),
    ("boolean string", field("v", "boolean"), "true", [(("v",), "type")]),
    # single / multi select
    ("single ok", SINGLE, "b", []),
    ("single unknown", SINGLE, "z", [(("v",), "options")]),
    ("single list", SINGLE, ["a"], [(("v",), "type")]),
    ("multi ok", MULTI, ["a", "c"], []),
    ("multi unknown item", MULTI, ["a", "z"], [(("v", 1), "options")]),
    ("multi duplicates", MULTI, ["a", "a"], [(("v",), "unique_items")]),
    ("multi too many", MULTI, ["a", "b", "c"], [(("v",), "max_items")]),
    ("multi too few", MULTI, [], [(("v",), "min_items")]),
    ("multi not a list", MULTI, "a", [(("v",), "type")]),
    # phone / email / url
    ("phone e164", field("v", "phone"), "+86 138-0013-8000", []),
    ("phone mobile", field("v", "phone"), "13800138000", []),
    ("phone letters", field("v", "phone"), "138abc", [(("v",), "phone")]),
    ("phone too short", field("v", "phone"), "12345", [(("v",), "phone")]),
    ("email ok", field("v", "email"), "a.b@example.com", []),
    ("email no dot in domain", field("v", "email"), "a@b", [(("v",), "email")]),
    ("email double at", field("v", "email"), "x@@y.com", [(("v",), "email")]),
    ("email trailing newline", field("v", "email"), "a@example.com\n", [(("v",), "email")]),
    ("url ok", field("v", "url"), "https://example.com/a?b=1", []),
    ("url ftp", field("v", "url"), "ftp://example.com/file", [(("v",), "url")]),
    ("url no host", field("v", "url"), "http://", [(("v",), "url")]),
    ("url relative", field("v", "url"), "/path/only", [(("v",), "url")]),
    ("url with space", field("v", "url"), "http://exa mple.com", [(("v",), "url")]),
    # refs
    ("staff ok", field("v", "staff_ref"), 7, []),
    ("staff zero", field("v", "staff_ref"), 0, [(("v",), "min")]),
    ("staff float", field("v", "staff_ref"), 7.0, [(("v",), "type")]),
    ("staff string", field("v", "staff_ref"), "7", [(("v",), "type")]),
    ("department ok", field("v", "department_ref"), 3, []),
    ("department negative", field("v", "department_ref"), -3, [(("v",), "min")]),
    # region
    (
        "region full",
        field("v", "region"),
        {"province": "广东", "city": "深圳", "code": "440305"},
        [],
    ),
    ("region province only", field("v", "region"), {"province": "北京"}, []),
    (
        "region no province",
        field("v", "region"),
        {"city": "深圳"},
        [(("v", "province"), "required")],
    ),
    (
        "region nested errors",
        field("v", "region"),
        {"province": "", "city": 5, "code": "44"},
        [(("v", "province"), "min_length"), (("v", "city"), "type"), (("v", "code"), "pattern")],
    ),
    (
        "region unknown part",
        field("v", "region"),
        {"province": "x", "street": "y"},
        [(("v", "street"), "unknown_property")],
    ),
]


@pytest.mark.parametrize(
    ("definition", "value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_value_of_every_type(definition: dict, value: Any, expected: list) -> None:
    compiled = compile_fields(doc(definition))
    issues = compiled.validate({"v": value})
    assert sorted((i.path, i.rule) for i in issues) == sorted(expected)
    assert all(i.message for i in issues)


@pytest.mark.parametrize("type_", ["text", "number", "money", "single_select", "region", "url"])
def test_optional_fields_accept_null(type_: str) -> None:
    definition = select("v", type_) if type_ == "single_select" else field("v", type_)
    assert compile_fields(doc(definition)).validate({"v": None}) == []


def test_required_null_is_a_required_issue() -> None:
    compiled = compile_fields(doc(select("v", required=True)))
    issues = compiled.validate({"v": None})
    assert [(i.path, i.rule, i.message) for i in issues] == [(("v",), "required", "is required")]


def test_required_text_refuses_empty_string() -> None:
    compiled = compile_fields(doc(field("v", "text", required=True)))
    assert [(i.path, i.rule) for i in compiled.validate({"v": ""})] == [(("v",), "min_length")]


def test_messages_are_readable_and_do_not_echo_values() -> None:
    compiled = compile_fields(doc(field("v", "email"), field("n", "number", rules={"max": 5})))
    issues = compiled.validate({"v": "secret@@example.com", "n": 9})
    assert [i.message for i in issues] == ["is not a valid email address", "must be at most 5"]
    assert all("secret" not in i.message for i in issues)
