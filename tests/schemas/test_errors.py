"""Converting jsonschema errors into Issues: paths, rule names, leaves of anyOf/oneOf."""

from __future__ import annotations

from schemas.errors import Issue, rule_name
from schemas.validation import make_validator, validate_with


def issues(schema: dict, instance: object) -> list[tuple[tuple, str, str]]:
    return [(i.path, i.rule, i.message) for i in validate_with(make_validator(schema), instance)]


def test_required_and_extra_properties_point_at_the_property() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {
                "type": "object",
                "properties": {"b": {}},
                "required": ["b"],
                "additionalProperties": False,
            }
        },
        "required": ["a", "z"],
        "additionalProperties": False,
    }
    assert issues(schema, {"a": {"x": 1, "y": 2}, "q": 0}) == [
        (("a", "b"), "required", "is required"),
        (("a", "x"), "unknown_property", "is not an allowed property"),
        (("a", "y"), "unknown_property", "is not an allowed property"),
        (("z",), "required", "is required"),
        (("q",), "unknown_property", "is not an allowed property"),
    ]


def test_any_of_reports_the_branch_that_got_furthest() -> None:
    schema = {
        "anyOf": [
            {"type": "string", "maxLength": 2},
            {"type": "object", "properties": {"n": {"minimum": 5}}},
        ]
    }
    assert issues(schema, {"n": 1}) == [(("n",), "min", "must be at least 5")]
    assert issues(schema, "abc") == [((), "max_length", "must be at most 2 characters")]
    assert issues(schema, 3) == [((), "type", "must be a string or an object")]


def test_one_of_leaf_inside_an_array() -> None:
    schema = {
        "type": "array",
        "items": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "boolean"}]},
    }
    assert issues(schema, [1, 0, True, "x"]) == [
        ((1,), "min", "must be at least 1"),
        ((3,), "type", "must be an integer or true or false"),
    ]


def test_a_wrong_type_hides_other_complaints_about_the_same_value() -> None:
    schema = {"type": "string", "enum": ["a"], "minLength": 3}
    assert issues(schema, 5) == [((), "type", "must be a string")]


def test_integers_are_strict() -> None:
    assert issues({"type": "integer"}, 1.0) == [((), "type", "must be an integer")]
    assert issues({"type": "integer"}, True) == [((), "type", "must be an integer")]
    assert issues({"type": "number"}, False) == [((), "type", "must be a number")]


def test_rule_names() -> None:
    assert rule_name("minLength") == "min_length"
    assert rule_name("exclusiveMaximum") == "max"
    assert rule_name("format", "date-time") == "datetime"
    assert rule_name("format", "uri") == "url"
    assert rule_name("dependentRequired") == "dependent_required"


def test_issue_shape() -> None:
    issue = Issue(("fields", 3, "rules"), "required", "is required")
    assert issue.to_dict() == {
        "path": ["fields", 3, "rules"],
        "rule": "required",
        "message": "is required",
    }
    assert issue.under("input").path == ("input", "fields", 3, "rules")
