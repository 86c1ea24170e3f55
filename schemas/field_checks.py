"""Checks on a field definitions document that its meta-schema cannot express.

Rules emitted: `duplicate_key` (field or section key used twice; reported on the later
one), `unknown_section` (a field names a section that is not declared),
`unique_not_allowed` (unique on a type that cannot be a dedup key), `duplicate_option`
(two options with one value), `inconsistent_rules` (a minimum above its maximum, or more
items required than there are options) and `invalid_default` (the default is not a
valid value of the field; the path goes down into the default).
"""

from __future__ import annotations

from typing import Any

from schemas.errors import Issue, duplicate_keys
from schemas.field_types import FIELD_TYPES, value_schema
from schemas.validation import as_decimal, make_validator, validate_with

_BOUNDS = (("min", "max"), ("min_length", "max_length"), ("min_items", "max_items"))


def _rule_issues(index: int, field: dict[str, Any]) -> list[Issue]:
    issues = []
    rules = field.get("rules") or {}
    at = ("fields", index, "rules")
    seen: set[str] = set()
    for position, option in enumerate(rules.get("options", ())):
        value = option.get("value")
        if value in seen:
            issues.append(
                Issue(
                    (*at, "options", position, "value"),
                    "duplicate_option",
                    f"option value {value!r} is used twice",
                )
            )
        seen.add(value)
    for low, high in _BOUNDS:
        low_value, high_value = as_decimal(rules.get(low)), as_decimal(rules.get(high))
        if low_value is not None and high_value is not None and low_value > high_value:
            issues.append(Issue((*at, low), "inconsistent_rules", f"{low} is greater than {high}"))
    if "options" in rules and rules.get("min_items", 0) > len(rules["options"]):
        issues.append(
            Issue(
                (*at, "min_items"),
                "inconsistent_rules",
                "min_items is greater than the number of options",
            )
        )
    return issues


def _default_issues(index: int, field: dict[str, Any]) -> list[Issue]:
    if field.get("default") is None:
        return []
    validator = make_validator(value_schema({**field, "required": True, "archived": False}))
    return [
        Issue(
            ("fields", index, "default", *issue.path),
            "invalid_default",
            f"the default {issue.message}",
        )
        for issue in validate_with(validator, field["default"])
    ]


def check_fields(document: dict[str, Any], meta_issues: list[Issue]) -> list[Issue]:
    """Cross-field checks; fields that already failed the meta-schema skip the deep ones."""
    fields = document.get("fields")
    sections = document.get("sections")
    fields = fields if isinstance(fields, list) else []
    sections = sections if isinstance(sections, list) else []
    broken = {i.path[1] for i in meta_issues if i.path[:1] == ("fields",) and len(i.path) > 1}
    issues = duplicate_keys(sections, "sections", "section")
    issues += duplicate_keys(fields, "fields", "field")
    declared = {s.get("key") for s in sections if isinstance(s, dict)}
    for index, field in enumerate(fields):
        if not isinstance(field, dict):
            continue
        section = field.get("section")
        if isinstance(section, str) and section not in declared:
            issues.append(
                Issue(
                    ("fields", index, "section"),
                    "unknown_section",
                    f"section {section!r} is not declared in sections",
                )
            )
        field_type = FIELD_TYPES.get(field.get("type"))  # type: ignore[arg-type]
        if field.get("unique") is True and field_type and not field_type.unique_allowed:
            issues.append(
                Issue(
                    ("fields", index, "unique"),
                    "unique_not_allowed",
                    f"a {field_type.name} field cannot be unique",
                )
            )
        if index in broken:
            continue
        issues += _rule_issues(index, field)
        issues += _default_issues(index, field)
    return issues
