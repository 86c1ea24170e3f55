"""diff: every change kind and its severity."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.diff import Change, diff, is_breaking
from tests.schemas.helpers import OPTIONS, doc, field, select


def kinds(old: dict, new: dict) -> list[tuple[str, str, str]]:
    return [(c.key, c.kind, c.severity) for c in diff(old, new)]


def one(old_field: dict[str, Any], new_field: dict[str, Any]) -> list[Change]:
    return diff(doc(old_field), doc(new_field))


def test_no_change() -> None:
    document = doc(field("a", "text"), select("s"))
    assert diff(document, document) == []
    assert not is_breaking(diff(document, document))


def test_field_added_optional_is_safe() -> None:
    assert kinds(doc(), doc(field("a", "text"))) == [("a", "field_added", "safe")]


def test_field_added_required_without_default_is_breaking() -> None:
    changes = diff(doc(), doc(field("a", "text", required=True)))
    assert [(c.kind, c.severity) for c in changes] == [
        ("field_added", "safe"),
        ("required_added", "breaking"),
    ]
    assert is_breaking(changes)


def test_field_added_required_with_default_is_safe() -> None:
    changes = diff(doc(), doc(field("a", "text", required=True, default="x")))
    assert [(c.kind, c.severity, c.detail) for c in changes] == [
        ("field_added", "safe", {"type": "text"}),
        ("required_added", "safe", {"default": "x"}),
    ]


def test_field_removed_is_breaking_if_in_use() -> None:
    (change,) = diff(doc(field("a", "number")), doc())
    assert change == Change("a", "field_removed", "breaking_if_in_use", {"type": "number"})


def test_archiving_is_safe_and_unarchiving_too() -> None:
    assert kinds(doc(field("a", "text")), doc(field("a", "text", archived=True))) == [
        ("a", "field_archived", "safe")
    ]
    assert kinds(doc(field("a", "text", archived=True)), doc(field("a", "text"))) == [
        ("a", "field_unarchived", "safe")
    ]


def test_unarchiving_a_required_field_requires_it_again() -> None:
    old = doc(field("a", "text", required=True, archived=True))
    new = doc(field("a", "text", required=True))
    assert kinds(old, new) == [
        ("a", "field_unarchived", "safe"),
        ("a", "required_added", "breaking"),
    ]


def test_type_change_is_breaking() -> None:
    (change,) = one(field("a", "number"), field("a", "text"))
    assert change == Change("a", "type_changed", "breaking", {"old": "number", "new": "text"})


def test_required_added_and_removed() -> None:
    assert kinds(doc(field("a", "text")), doc(field("a", "text", required=True))) == [
        ("a", "required_added", "breaking")
    ]
    assert kinds(doc(field("a", "text")), doc(field("a", "text", required=True, default="x"))) == [
        ("a", "required_added", "safe"),
        ("a", "default_changed", "safe"),
    ]
    assert kinds(doc(field("a", "text", required=True)), doc(field("a", "text"))) == [
        ("a", "required_removed", "safe")
    ]


def test_unique_added_and_removed() -> None:
    (added,) = one(field("e", "email"), field("e", "email", unique=True))
    assert added == Change("e", "unique_added", "breaking_if_duplicates", {"type": "email"})
    assert kinds(doc(field("e", "email", unique=True)), doc(field("e", "email"))) == [
        ("e", "unique_removed", "safe")
    ]


def test_options_removed_lists_the_values() -> None:
    new = field("s", "multi_select", rules={"options": OPTIONS[:1]})
    (change,) = one(select("s", "multi_select"), new)
    assert change == Change(
        "s",
        "options_removed",
        "breaking_if_in_use",
        {"removed": ["b", "c"], "type": "multi_select"},
    )


def test_options_added_and_relabelled_are_safe() -> None:
    options = [{"value": "a", "label": "Alpha"}, *OPTIONS[1:], {"value": "d", "label": "D"}]
    changes = one(select("s"), field("s", "single_select", rules={"options": options}))
    assert [(c.kind, c.severity, c.detail) for c in changes] == [
        ("options_added", "safe", {"added": ["d"]}),
        ("label_changed", "safe", {"options": {"a": {"old": "A", "new": "Alpha"}}}),
    ]


@pytest.mark.parametrize(
    ("type_", "old_rules", "new_rules", "kind", "detail"),
    [
        ("number", {"max": 10}, {"max": 5}, "rules_tightened", {"max": {"old": 10, "new": 5}}),
        ("number", {"min": 0}, {"min": 1}, "rules_tightened", {"min": {"old": 0, "new": 1}}),
        ("number", {}, {"max": 5}, "rules_tightened", {"max": {"old": None, "new": 5}}),
        ("number", {"max": 5}, {"max": 10}, "rules_loosened", {"max": {"old": 5, "new": 10}}),
        ("number", {"min": 1}, {}, "rules_loosened", {"min": {"old": 1, "new": None}}),
        (
            "number",
            {"max_decimals": 2},
            {"max_decimals": 0},
            "rules_tightened",
            {"max_decimals": {"old": 2, "new": 0}},
        ),
        (
            "text",
            {"max_length": 100},
            {"max_length": 50},
            "rules_tightened",
            {"max_length": {"old": 100, "new": 50}},
        ),
        (
            "text",
            {},
            {"max_length": 600},
            "rules_loosened",
            {"max_length": {"old": 500, "new": 600}},
        ),  # 500 is the text default
        ("text", {}, {"pattern": "^a"}, "rules_tightened", {"pattern": {"old": None, "new": "^a"}}),
        (
            "text",
            {"pattern": "^a"},
            {"pattern": "^b"},
            "rules_tightened",
            {"pattern": {"old": "^a", "new": "^b"}},
        ),
        ("text", {"pattern": "^a"}, {}, "rules_loosened", {"pattern": {"old": "^a", "new": None}}),
        (
            "money",
            {"max": "100.00"},
            {"max": 50},
            "rules_tightened",
            {"max": {"old": "100.00", "new": 50}},
        ),
        (
            "money",
            {},
            {"currency": "USD"},
            "rules_tightened",
            {"currency": {"old": "CNY", "new": "USD"}},
        ),
    ],
)
def test_rule_changes(
    type_: str, old_rules: dict, new_rules: dict, kind: str, detail: dict
) -> None:
    (change,) = one(field("v", type_, rules=old_rules), field("v", type_, rules=new_rules))
    severity = "breaking_if_in_use" if kind == "rules_tightened" else "safe"
    assert change == Change("v", kind, severity, {"rules": detail})


def test_same_limit_written_differently_is_no_change() -> None:
    assert (
        one(field("m", "money", rules={"max": "10.0"}), field("m", "money", rules={"max": 10}))
        == []
    )
    assert one(field("m", "money"), field("m", "money", rules={"currency": "CNY"})) == []


def test_tightened_and_loosened_together() -> None:
    old = field("n", "number", rules={"min": 0, "max": 10})
    new = field("n", "number", rules={"min": -5, "max": 5})
    assert [(c.kind, c.detail) for c in one(old, new)] == [
        ("rules_tightened", {"rules": {"max": {"old": 10, "new": 5}}}),
        ("rules_loosened", {"rules": {"min": {"old": 0, "new": -5}}}),
    ]


def test_type_change_does_not_compare_rules() -> None:
    old = field("v", "text", rules={"max_length": 5})
    new = field("v", "number", rules={"max": 5})
    assert [c.kind for c in one(old, new)] == ["type_changed"]


def test_label_help_default_and_layout_are_safe() -> None:
    old = field("a", "text", help_text="old", section="s1", order=1)
    new = dict(old, label="New", help_text="new", default="x", order=2, visible_to=["admin"])
    changes = diff(
        doc(old, sections=[{"key": "s1", "label": "S1"}]),
        doc(new, sections=[{"key": "s1", "label": "S1"}]),
    )
    assert [(c.kind, c.severity, c.detail) for c in changes] == [
        (
            "label_changed",
            "safe",
            {"label": {"old": "A", "new": "New"}, "help_text": {"old": "old", "new": "new"}},
        ),
        ("default_changed", "safe", {"old": None, "new": "x"}),
        (
            "layout_changed",
            "safe",
            {"order": {"old": 1, "new": 2}, "visible_to": {"old": [], "new": ["admin"]}},
        ),
    ]


def test_section_changes_are_layout() -> None:
    old = doc(sections=[{"key": "s1", "label": "S1"}, {"key": "s2", "label": "S2"}])
    new = doc(sections=[{"key": "s2", "label": "Two"}, {"key": "s1", "label": "S1"}])
    assert [(c.key, c.kind, c.detail.get("target")) for c in diff(old, new)] == [
        ("s2", "layout_changed", "section"),
        ("", "layout_changed", "sections_order"),
    ]


def test_order_of_changes() -> None:
    old = doc(field("gone", "text"), field("a", "text"))
    new = doc(field("a", "number"), field("b", "text"))
    assert kinds(old, new) == [
        ("a", "type_changed", "breaking"),
        ("b", "field_added", "safe"),
        ("gone", "field_removed", "breaking_if_in_use"),
    ]
