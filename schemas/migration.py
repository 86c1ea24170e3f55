"""Migration plans: what an admin supplies to make a breaking field change publishable,
whether a plan covers the changes, and migrating one record's values with it.

A plan (meta-schema `meta/migration.json`):
    {"defaults": {key: value},                 # fill records missing the field
     "option_map": {key: {old: new_or_null}},  # rename options; null clears the value
     "archive": [key, ...],                    # take the field's values out of records
     "convert": {key: "to_text" | ...},        # convert values to the field's new type
     "clear_invalid": [key, ...]}              # clear values that fail the new rules

What covers what: type_changed <- convert to the new type, archive or clear_invalid;
required_added <- defaults; options_removed <- option_map for every removed value, or
clear_invalid; field_removed <- archive; rules_tightened <- clear_invalid.
unique_added is never covered: the service must find no duplicates.

Rules emitted by `check_migration`: the meta-schema's, `migration_required` (a
`breaking` change the plan leaves uncovered, at path (key,)), `unknown_field`,
`not_a_select`, `convert_mismatch`, `no_type_change`, `invalid_default` and `options`.
Rules emitted by `apply_migration`: `conversion` and any record validation rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from schemas.compiled import CompiledFields
from schemas.conversions import ConversionError, convert, target_type
from schemas.diff import Change
from schemas.errors import Issue
from schemas.field_types import SELECT_TYPES
from schemas.meta_schemas import meta_validator
from schemas.validation import validate_with


@dataclass(frozen=True)
class MigrationResult:
    """One record migrated: its new values, what could not be migrated, and the values
    taken out of it (archived or cleared) so the service can keep them."""

    values: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    archived: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues


def _cover(change: Change, plan: dict[str, Any]) -> Change | None:
    """What is left of `change` once `plan` is applied (None: fully covered or safe)."""
    key, kind = change.key, change.kind
    clears = key in plan.get("clear_invalid", ())
    if change.severity == "safe":
        return None
    if kind == "type_changed":
        target = plan.get("convert", {}).get(key)
        covered = key in plan.get("archive", ()) or clears
        return None if covered or target == f"to_{change.detail['new']}" else change
    if kind == "required_added":
        return None if plan.get("defaults", {}).get(key) is not None else change
    if kind == "options_removed":
        mapped = plan.get("option_map", {}).get(key, {})
        left = [value for value in change.detail["removed"] if value not in mapped]
        if clears or not left:
            return None
        return replace(change, detail={**change.detail, "removed": left})
    if kind == "field_removed":
        return None if key in plan.get("archive", ()) else change
    if kind == "rules_tightened":
        return None if clears else change
    return change


def uncovered(changes: list[Change], plan: dict[str, Any]) -> list[Change]:
    """The non-safe changes `plan` does not cover (an options_removed change keeps only
    its unmapped values). `breaking` ones block publishing; the service checks the data
    for `breaking_if_in_use` and `breaking_if_duplicates` ones."""
    left = (_cover(change, plan) for change in changes)
    return [change for change in left if change is not None]


def _required_message(change: Change) -> str:
    if change.kind == "type_changed":
        return (
            f"the type changes from {change.detail['old']} to {change.detail['new']}: "
            f"convert it with 'to_{change.detail['new']}', archive or clear_invalid it"
        )
    if change.kind == "required_added":
        return "the field becomes required without a default: give it one in defaults"
    return f"{change.kind.replace('_', ' ')} needs a migration"


def _content_issues(
    changes: list[Change], plan: dict[str, Any], new: CompiledFields | None
) -> list[Issue]:
    issues = []
    type_changes = {c.key: c for c in changes if c.kind == "type_changed"}
    for key, conversion in plan.get("convert", {}).items():
        if key not in type_changes:
            issues.append(Issue(("convert", key), "no_type_change", "its type does not change"))
        elif target_type(conversion) != type_changes[key].detail["new"]:
            message = f"the new type is {type_changes[key].detail['new']}"
            issues.append(Issue(("convert", key), "convert_mismatch", message))
    if new is None:
        return issues
    for section in ("defaults", "option_map", "convert", "clear_invalid"):
        for key in plan.get(section, ()):
            if key not in new.fields:
                issues.append(Issue((section, key), "unknown_field", "is not a field"))
    for key, value in plan.get("defaults", {}).items():
        if key in new.fields:
            for issue in new.validate_field(key, value):
                message = f"the default {issue.message}"
                issues.append(Issue(("defaults", *issue.path), "invalid_default", message))
    for key, mapping in plan.get("option_map", {}).items():
        spec = new.fields.get(key)
        if spec is None:
            continue
        if spec.type not in SELECT_TYPES:
            issues.append(Issue(("option_map", key), "not_a_select", "is not a select field"))
            continue
        allowed = [option["value"] for option in spec.rules["options"]]
        for old, target in mapping.items():
            if target is not None and target not in allowed:
                message = f"must be one of: {', '.join(map(repr, allowed))}"
                issues.append(Issue(("option_map", key, old), "options", message))
    return issues


def check_migration(
    changes: list[Change], plan: dict[str, Any], *, new: CompiledFields | None = None
) -> list[Issue]:
    """Issues of a plan for `changes` (from `diff`): its shape, its entries (checked
    against the new version when `new` is given) and every `breaking` change it leaves
    uncovered. Conditional changes it leaves uncovered are in `uncovered(...)`."""
    issues = validate_with(meta_validator("migration"), plan)
    if issues:
        return issues
    issues = _content_issues(changes, plan, new)
    for change in uncovered(changes, plan):
        if change.severity == "breaking":
            issues.append(Issue((change.key,), "migration_required", _required_message(change)))
    return issues


def _map_option(value: Any, mapping: dict[str, str | None]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        mapped = (mapping.get(item, item) if isinstance(item, str) else item for item in value)
        return list(dict.fromkeys(item for item in mapped if item is not None))
    return value


def _fill(values: dict[str, Any], plan: dict[str, Any], new: CompiledFields) -> None:
    for key, default in plan.get("defaults", {}).items():
        if values.get(key) is None and key in new.fields:
            values[key] = copy.deepcopy(default)
    for spec in new.fields.values():
        if spec.enforced_required and values.get(spec.key) is None and spec.default is not None:
            values[spec.key] = copy.deepcopy(spec.default)


def apply_migration(
    values: dict[str, Any], plan: dict[str, Any], new: CompiledFields
) -> MigrationResult:
    """One record's values migrated to the version `new` with `plan` (a pure function).

    Order: archive, convert, map options, fill defaults (the plan's, then the field's
    for required fields), validate; values of `clear_invalid` fields that still fail
    are cleared (and refilled with a default if there is one). `result.issues` lists
    what stays invalid: such a record cannot be migrated by this plan.
    """
    result = copy.deepcopy(values)
    archived: dict[str, Any] = {}
    failed: list[Issue] = []
    clearable = set(plan.get("clear_invalid", ()))
    for key in plan.get("archive", ()):
        if key in result:
            archived[key] = result.pop(key)
    for key, conversion in plan.get("convert", {}).items():
        if result.get(key) is None or key not in new.fields:
            continue
        try:
            result[key] = convert(conversion, result[key], new.fields[key])
        except ConversionError as error:
            if key in clearable:
                archived[key] = result.pop(key)
            else:
                failed.append(Issue((key,), "conversion", f"cannot be converted: {error}"))
    for key, mapping in plan.get("option_map", {}).items():
        if key in result:
            result[key] = _map_option(result[key], mapping)
            if result[key] is None or result[key] == []:
                del result[key]
    _fill(result, plan, new)
    issues = new.validate(result)
    cleared = {i.path[0] for i in issues if i.path and i.path[0] in clearable}
    if cleared:
        for key in cleared:
            archived.setdefault(key, result.pop(key, None))  # type: ignore[arg-type]
        _fill(result, plan, new)
        issues = new.validate(result)
    failed_keys = {issue.path[0] for issue in failed}
    issues = failed + [i for i in issues if not i.path or i.path[0] not in failed_keys]
    return MigrationResult(result, issues, archived)
