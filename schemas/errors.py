"""The engine's error shape (`Issue`) and the conversion of jsonschema errors into it.

Every validation in `schemas` reports a list of `Issue`s, never the first error only.
`Issue.rule` is a snake_case name that a client can switch on:

- from JSON Schema keywords: `type`, `required` (the path names the missing property),
  `unknown_property` (additionalProperties false; the path names the extra property),
  `min_length`, `max_length`, `pattern`, `min`, `max` (minimum, exclusiveMinimum and
  their decimal twins), `max_decimals`, `min_items`, `max_items`, `unique_items`, `enum`
  (`options` for select field values), `const`; any other keyword in snake_case.
- from `format`: the format's own name: `email`, `phone`, `date`, `datetime`, `url`,
  `decimal`, `regex`.
- from cross-field checks (definitions and migrations): see the modules that emit them
  (`duplicate_key`, `unknown_section`, `unique_not_allowed`, `duplicate_option`,
  `inconsistent_rules`, `invalid_default`, `migration_required`, ...).

Messages are plain English and never repeat the offending value (it may be personal data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One problem found by a validation: where (`path`), which rule, and a message."""

    path: Path
    rule: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used in GraphQL `extensions.fieldErrors`."""
        return {"path": list(self.path), "rule": self.rule, "message": self.message}

    def under(self, *prefix: str | int) -> Issue:
        """The same issue with its path moved under `prefix`."""
        return Issue((*prefix, *self.path), self.rule, self.message)


class InvalidDefinition(ValueError):
    """A definition document was refused; `issues` says why."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"invalid definition: {len(issues)} issue(s), first: {issues[0]}")
        self.issues = issues


def duplicate_keys(items: list[Any], prefix: str, what: str) -> list[Issue]:
    """`duplicate_key` issues for items (dicts with a "key") whose key was used before."""
    issues, seen = [], {}
    for index, item in enumerate(items):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str):
            continue
        if key in seen:
            message = f"key {key!r} is already used by {what} {seen[key]}"
            issues.append(Issue((prefix, index, "key"), "duplicate_key", message))
        else:
            seen[key] = index
    return issues


_RULES = {
    "additionalProperties": "unknown_property",
    "unevaluatedProperties": "unknown_property",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minimum": "min",
    "exclusiveMinimum": "min",
    "x-minimum": "min",
    "maximum": "max",
    "exclusiveMaximum": "max",
    "x-maximum": "max",
    "x-maxDecimals": "max_decimals",
    "minItems": "min_items",
    "maxItems": "max_items",
    "uniqueItems": "unique_items",
}
_FORMAT_RULES = {"date-time": "datetime", "uri": "url"}
_FORMAT_MESSAGES = {
    "email": "is not a valid email address",
    "phone": "is not a valid phone number",
    "date": "is not a valid date (YYYY-MM-DD)",
    "date-time": "is not a valid date-time (RFC 3339 with a timezone, e.g. "
    "2026-01-31T09:30:00+08:00)",
    "uri": "is not a valid http(s) URL",
    "decimal": 'is not a decimal string such as "123.45"',
    "regex": "is not a valid regular expression",
}
_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def rule_name(keyword: str, schema: Any = None) -> str:
    """Our rule name for a JSON Schema keyword (see the module docstring)."""
    if keyword == "format" and isinstance(schema, str):
        return _FORMAT_RULES.get(schema, schema.replace("-", "_"))
    if keyword in _RULES:
        return _RULES[keyword]
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in keyword.removeprefix("x-"))


def _types(value: Any) -> str:
    names = [value] if isinstance(value, str) else [t for t in value if t != "null"]
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _choices(values: Iterable[Any]) -> str:
    shown = [repr(v) for v in values if v is not None]
    if len(shown) > 10:
        shown = [*shown[:10], "..."]
    return ", ".join(shown)


def _message(error: ValidationError) -> str:
    keyword, value = error.validator, error.validator_value
    if "propertyNames" in error.relative_schema_path:
        return f"key {error.instance!r} is not allowed: {_plain_message(keyword, value, error)}"
    return _plain_message(keyword, value, error)


def _plain_message(keyword: Any, value: Any, error: ValidationError) -> str:
    match keyword:
        case "type":
            return f"must be {_types(value)}"
        case "required":
            return "is required"
        case "additionalProperties" | "unevaluatedProperties":
            return "is not an allowed property"
        case "minLength":
            return "must not be empty" if value == 1 else f"must be at least {value} characters"
        case "maxLength":
            return f"must be at most {value} characters"
        case "pattern":
            return f"must match the pattern {value}"
        case "minimum" | "x-minimum":
            return f"must be at least {value}"
        case "exclusiveMinimum":
            return f"must be greater than {value}"
        case "maximum" | "x-maximum":
            return f"must be at most {value}"
        case "exclusiveMaximum":
            return f"must be less than {value}"
        case "x-maxDecimals":
            return f"must have at most {value} decimal places"
        case "minItems":
            return "must not be empty" if value == 1 else f"must have at least {value} items"
        case "maxItems":
            return f"must have at most {value} items"
        case "uniqueItems":
            return "must not contain duplicates"
        case "enum":
            return f"must be one of: {_choices(value)}"
        case "const":
            return f"must be {value!r}"
        case "format":
            return _FORMAT_MESSAGES.get(value, f"is not a valid {value}")
        case "minProperties":
            return f"must have at least {value} entries"
        case "maxProperties":
            return f"must have at most {value} entries"
    return error.message


def _leaves(error: ValidationError) -> Iterator[ValidationError | Issue]:
    """The useful errors under an anyOf/oneOf: the branch that got furthest."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)

    def type_only(errors: list[ValidationError]) -> bool:
        return all(e.validator == "type" and not e.relative_path for e in errors)

    best = min(branches.values(), key=lambda errors: (type_only(errors), len(errors)))
    if type_only(best):
        wanted = [t for errors in branches.values() for e in errors for t in _as_list(e)]
        yield Issue(tuple(error.absolute_path), "type", f"must be {_types(wanted)}")
        return
    for sub in best:
        yield from _leaves(sub)


def _as_list(error: ValidationError) -> list[str]:
    value = error.validator_value
    return [value] if isinstance(value, str) else list(value)


def to_issue(error: ValidationError) -> Issue:
    """One jsonschema error (already a leaf) as an Issue."""
    if error.validator is None:  # a `false` subschema
        return Issue(tuple(error.absolute_path), "not_allowed", "is not allowed")
    return Issue(
        tuple(error.absolute_path),
        rule_name(str(error.validator), error.validator_value),
        _message(error),
    )


def issues_from_errors(errors: Iterable[ValidationError]) -> list[Issue]:
    """All errors as Issues, in schema order.

    When a value has the wrong type, other complaints about that same value are dropped:
    "must be a string" says it all.
    """
    issues: list[Issue] = []
    for error in errors:
        for leaf in _leaves(error):
            issues.append(leaf if isinstance(leaf, Issue) else to_issue(leaf))
    mistyped = {issue.path for issue in issues if issue.rule == "type"}
    if not mistyped:
        return issues
    return [i for i in issues if i.rule == "type" or i.path not in mistyped]
