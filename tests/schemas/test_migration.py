"""Migration plans: checking coverage of breaking changes, and migrating records."""

from __future__ import annotations

import pytest

from schemas.compiler import compile_fields
from schemas.diff import Change, diff
from schemas.errors import Issue
from schemas.migration import apply_migration, check_migration, uncovered
from tests.schemas.helpers import OPTIONS, doc, field, select

OLD = doc(
    field("name", "text", required=True),
    field("score", "number"),
    select("level"),
    select("tags", "multi_select"),
    field("fax", "phone"),
    field("note", "text", rules={"max_length": 100}),
)
NEW = doc(
    field("name", "text", required=True),
    field("score", "text"),  # type change
    field("level", "single_select", rules={"options": OPTIONS[:2]}),  # "c" removed
    field("tags", "multi_select", rules={"options": OPTIONS[1:]}),  # "a" removed
    field("source", "text", required=True),  # required, no default
    field("note", "text", rules={"max_length": 5}),  # tightened
)  # fax removed
CHANGES = diff(OLD, NEW)
PLAN = {
    "defaults": {"source": "import"},
    "option_map": {"level": {"c": "b"}, "tags": {"a": "b"}},
    "archive": ["fax"],
    "convert": {"score": "to_text"},
    "clear_invalid": ["note"],
}


@pytest.fixture(scope="module")
def new():
    return compile_fields(NEW)


def test_the_changes_under_test() -> None:
    assert [(c.key, c.kind, c.severity) for c in CHANGES if c.severity != "safe"] == [
        ("score", "type_changed", "breaking"),
        ("level", "options_removed", "breaking_if_in_use"),
        ("tags", "options_removed", "breaking_if_in_use"),
        ("source", "required_added", "breaking"),
        ("note", "rules_tightened", "breaking_if_in_use"),
        ("fax", "field_removed", "breaking_if_in_use"),
    ]


def test_empty_plan_leaves_everything_uncovered(new) -> None:
    issues = check_migration(CHANGES, {}, new=new)
    assert [(i.path, i.rule) for i in issues] == [
        (("score",), "migration_required"),
        (("source",), "migration_required"),
    ]
    assert "convert it with 'to_text'" in issues[0].message
    assert [(c.key, c.kind) for c in uncovered(CHANGES, {})] == [
        ("score", "type_changed"),
        ("level", "options_removed"),
        ("tags", "options_removed"),
        ("source", "required_added"),
        ("note", "rules_tightened"),
        ("fax", "field_removed"),
    ]


def test_full_plan_covers_everything(new) -> None:
    assert check_migration(CHANGES, PLAN, new=new) == []
    assert uncovered(CHANGES, PLAN) == []


def test_partial_option_map_leaves_the_unmapped_values() -> None:
    old = doc(select("level"))
    new = doc(field("level", "single_select", rules={"options": OPTIONS[:1]}))
    changes = diff(old, new)
    (left,) = uncovered(changes, {"option_map": {"level": {"b": "a"}}})
    assert left.detail["removed"] == ["c"]
    assert uncovered(changes, {"option_map": {"level": {"b": "a", "c": None}}}) == []


def test_unique_added_is_never_covered() -> None:
    changes = diff(doc(field("e", "email")), doc(field("e", "email", unique=True)))
    assert check_migration(changes, {}) == []
    assert uncovered(changes, {"clear_invalid": ["e"]}) == [
        Change("e", "unique_added", "breaking_if_duplicates", {"type": "email"})
    ]


def test_type_change_covered_by_archive_or_clear() -> None:
    changes = diff(doc(field("a", "number")), doc(field("a", "date")))
    assert check_migration(changes, {"archive": ["a"]}) == []
    assert check_migration(changes, {"clear_invalid": ["a"]}) == []


def test_plan_shape_errors_have_paths() -> None:
    plan = {"convert": {"score": "to_colour"}, "archive": "fax", "extra": 1}
    assert [(i.path, i.rule) for i in check_migration(CHANGES, plan)] == [
        (("archive",), "type"),
        (("convert", "score"), "enum"),
        (("extra",), "unknown_property"),
    ]


def test_plan_key_names_are_checked() -> None:
    (issue,) = check_migration([], {"defaults": {"Bad Key": 1}})
    assert (issue.path, issue.rule) == (("defaults",), "pattern")
    assert issue.message.startswith("key 'Bad Key' is not allowed")


def test_plan_entries_are_checked_against_the_new_version(new) -> None:
    plan = {
        **PLAN,
        "defaults": {"source": 5, "nope": 1},
        "option_map": {"level": {"c": "zz"}, "name": {"x": "y"}, "tags": {"a": "b"}},
        "convert": {"score": "to_number", "name": "to_text"},
    }
    assert [(i.path, i.rule) for i in check_migration(CHANGES, plan, new=new)] == [
        (("convert", "score"), "convert_mismatch"),
        (("convert", "name"), "no_type_change"),
        (("defaults", "nope"), "unknown_field"),
        (("defaults", "source"), "invalid_default"),
        (("option_map", "level", "c"), "options"),
        (("option_map", "name"), "not_a_select"),
        (("score",), "migration_required"),
    ]


def test_apply_migrates_a_record(new) -> None:
    record = {
        "name": "Ann",
        "score": 9.5,
        "level": "c",
        "tags": ["a", "b", "c"],
        "fax": "010-1234567",
        "note": "much too long",
    }
    result = apply_migration(record, PLAN, new)
    assert result.ok
    assert result.values == {
        "name": "Ann",
        "score": "9.5",
        "level": "b",
        "tags": ["b", "c"],
        "source": "import",
    }
    assert result.archived == {"fax": "010-1234567", "note": "much too long"}
    assert new.validate(result.values) == []
    assert record["tags"] == ["a", "b", "c"]  # the input is not changed


def test_apply_keeps_valid_values(new) -> None:
    result = apply_migration({"name": "Bob", "note": "ok", "source": "web"}, PLAN, new)
    assert (result.values, result.issues, result.archived) == (
        {"name": "Bob", "note": "ok", "source": "web"},
        [],
        {},
    )


def test_option_map_to_null_clears() -> None:
    new = compile_fields(
        doc(
            field("level", "single_select", rules={"options": OPTIONS[:1]}),
            field("tags", "multi_select", rules={"options": OPTIONS[:1]}),
        )
    )
    plan = {"option_map": {"level": {"b": None}, "tags": {"b": None, "c": None}}}
    result = apply_migration({"level": "b", "tags": ["b", "c"]}, plan, new)
    assert (result.values, result.issues) == ({}, [])
    result = apply_migration({"tags": ["a", "c"]}, plan, new)
    assert result.values == {"tags": ["a"]}


def test_required_field_gets_its_own_default() -> None:
    new = compile_fields(doc(select("level", required=True, default="a")))
    assert apply_migration({}, {}, new).values == {"level": "a"}


def test_record_that_cannot_be_migrated_reports_issues(new) -> None:
    plan = {**PLAN, "convert": {"score": "to_text"}, "clear_invalid": []}
    result = apply_migration({"name": "Ann", "note": "much too long", "fax": "1"}, plan, new)
    assert not result.ok
    assert [(i.path, i.rule) for i in result.issues] == [(("note",), "max_length")]


@pytest.mark.parametrize(
    ("old_type", "new_field", "conversion", "value", "expected"),
    [
        ("number", field("v", "text"), "to_text", 12, "12"),
        ("number", field("v", "long_text"), "to_long_text", 0.5, "0.5"),
        ("text", field("v", "number"), "to_number", " 1,200.50 ", 1200.5),
        ("text", field("v", "number"), "to_number", "42", 42),
        ("number", field("v", "money"), "to_money", 12.5, {"amount": "12.5", "currency": "CNY"}),
        ("text", select("v"), "to_single_select", "b", "b"),
        ("text", select("v"), "to_single_select", "C", "c"),  # matched by label
        ("single_select", select("v", "multi_select"), "to_multi_select", "a", ["a"]),
        ("multi_select", field("v", "text"), "to_text", ["a", "b"], "a, b"),
        ("datetime", field("v", "date"), "to_date", "2026-01-31T23:30:00+08:00", "2026-01-31"),
        ("money", field("v", "number"), "to_number", {"amount": "3.25", "currency": "CNY"}, 3.25),
    ],
)
def test_conversions(
    old_type: str, new_field: dict, conversion: str, value: object, expected: object
) -> None:
    new = compile_fields(doc(new_field))
    result = apply_migration({"v": value}, {"convert": {"v": conversion}}, new)
    assert (result.values, result.issues) == ({"v": expected}, [])


def test_failed_conversion_is_an_issue_or_cleared() -> None:
    new = compile_fields(doc(field("v", "number")))
    result = apply_migration({"v": "n/a"}, {"convert": {"v": "to_number"}}, new)
    assert result.issues == [Issue(("v",), "conversion", "cannot be converted: is not a number")]
    cleared = apply_migration(
        {"v": "n/a"}, {"convert": {"v": "to_number"}, "clear_invalid": ["v"]}, new
    )
    assert (cleared.values, cleared.issues, cleared.archived) == ({}, [], {"v": "n/a"})


def test_unplanned_removed_key_is_reported(new) -> None:
    result = apply_migration({"name": "Ann", "source": "x", "fax": "1"}, {}, new)
    assert [(i.path, i.rule) for i in result.issues] == [(("fax",), "unknown_property")]
