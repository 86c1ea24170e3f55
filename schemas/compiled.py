"""`CompiledFields`: a checked field definitions document, ready to validate records.

Built by `schemas.compiler.compile_fields` (which caches it); services hold one per
published version and call `validate`, `with_defaults`, `normalize_unique`, `refs`.
The dicts it exposes are shared by every caller of the cached object: read, never mutate.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from jsonschema.protocols import Validator as ValidatorProtocol

from schemas.errors import Issue, issues_from_errors
from schemas.field_types import REF_TYPES, SELECT_TYPES, unique_form
from schemas.formats import parse_datetime


@dataclass(frozen=True)
class FieldSpec:
    """One field of a definition, with its type's default rules filled into `rules`."""

    key: str
    type: str
    label: str
    required: bool = False
    unique: bool = False
    default: Any = None
    rules: dict[str, Any] = field(default_factory=dict)
    archived: bool = False
    section: str | None = None
    order: int = 0
    visible_to: tuple[str, ...] = ()
    help_text: str | None = None

    @property
    def enforced_required(self) -> bool:
        """Required and not archived: records must carry a value."""
        return self.required and not self.archived


@dataclass(frozen=True, eq=False)
class CompiledFields:
    """The compiled form of one field definitions document (see `compile_fields`)."""

    digest: str
    json_schema: dict[str, Any]
    ui_hints: dict[str, Any]
    fields: dict[str, FieldSpec]
    unique_keys: tuple[str, ...]
    filterable: dict[str, str]
    _validator: ValidatorProtocol = field(repr=False)

    def validate(self, values: Any, *, partial: bool = False) -> list[Issue]:
        """Every issue of a record's values; [] means valid.

        `partial=True` is for an update that sends only some keys: absent required keys
        are not reported (a required key sent as null still is). Null means "no value"
        and is accepted for fields that are not required.
        """
        if not isinstance(values, dict):
            return [Issue((), "type", "must be an object")]
        errors = self._validator.iter_errors(values)
        if partial:
            errors = (e for e in errors if not _top_level_required(e))
        issues = issues_from_errors(errors)
        return [self._refine(issue, values) for issue in issues] if issues else issues

    def _refine(self, issue: Issue, values: dict[str, Any]) -> Issue:
        if not issue.path or issue.path[0] not in self.fields:
            return issue
        spec = self.fields[issue.path[0]]  # type: ignore[index]
        if issue.rule == "type" and len(issue.path) == 1 and values[spec.key] is None:
            return Issue(issue.path, "required", "is required")
        if issue.rule == "enum" and spec.type in SELECT_TYPES:
            return Issue(issue.path, "options", issue.message)
        return issue

    def validate_field(self, key: str, value: Any) -> list[Issue]:
        """Issues of one field's value alone, e.g. to count records a tightened rule breaks."""
        if key not in self.fields:
            raise KeyError(key)
        return self.validate({key: value}, partial=True)

    def with_defaults(self, values: dict[str, Any]) -> dict[str, Any]:
        """`values` with each absent, non-archived field that has a default filled in."""
        filled = {
            spec.key: copy.deepcopy(spec.default)
            for spec in self.fields.values()
            if spec.key not in values and spec.default is not None and not spec.archived
        }
        return {**values, **filled}

    def normalize_unique(self, key: str, value: Any) -> str:
        """The dedup normal form of a valid, non-null value of field `key`.

        phone -> digits with a leading "+" kept; email -> stripped, lower-cased; text ->
        NFKC, stripped, casefolded; url -> scheme/host lower-cased, default port dropped;
        number -> canonical decimal string. Raises ValueError for null or for a type
        that cannot be unique. Skip empty results ("") when filling the dedup table.
        """
        return unique_form(self.fields[key].type, value)

    def refs(self, values: dict[str, Any]) -> dict[str, list[int]]:
        """Referenced ids by ref type ("staff_ref", "department_ref"), unique, in order.

        The engine cannot know whether they exist: the service checks them (in the
        actor's tenant) and reports a missing one at the path of its field.
        """
        found: dict[str, list[int]] = {ref_type: [] for ref_type in REF_TYPES}
        for spec in self.fields.values():
            value = values.get(spec.key)
            if spec.type in found and isinstance(value, int) and value not in found[spec.type]:
                found[spec.type].append(value)
        return found

    def canonicalize(self, values: dict[str, Any]) -> dict[str, Any]:
        """Valid values in storage form: datetimes in UTC ("...Z"), so SQL range filters
        compare instants correctly. Other values are returned unchanged."""
        result = dict(values)
        for spec in self.fields.values():
            value = result.get(spec.key)
            if spec.type == "datetime" and isinstance(value, str):
                moment = parse_datetime(value)
                if moment is not None:
                    result[spec.key] = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return result

    def visible_keys(self, role: str) -> tuple[str, ...]:
        """Active keys a user of `role` may see, in display order."""
        return tuple(
            key
            for key in self.ui_hints["order"]
            if not self.fields[key].visible_to or role in self.fields[key].visible_to
        )


def _top_level_required(error: Any) -> bool:
    return error.validator == "required" and list(error.schema_path) == ["required"]
