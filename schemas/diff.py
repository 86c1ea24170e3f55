"""Diffing two field definitions documents into classified changes.

Severities:
- `safe`: publish freely;
- `breaking`: refuse unless a migration plan covers it (or the entity has no records);
- `breaking_if_in_use`: refuse if records hold values the change affects (the detail
  says which), unless a plan covers it;
- `breaking_if_duplicates`: refuse if existing values collide once normalized.

Choices: a new required field, or a field becoming required (or unarchived while
required), is `required_added`: safe when the field has a default (records missing the
value get the default when migrated), otherwise breaking. A new field is also reported
as `field_added` (safe). Removing a field is breaking_if_in_use; archiving it is safe.
After a type change, rules and options of the two types are not compared. Help text
changes count as `label_changed`; section, order and visibility as `layout_changed`.
Rules are compared with their type's default rules filled in (money is CNY with 2
decimals unless said otherwise), so "absent" and "the default" are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from schemas.field_types import SELECT_TYPES, effective_rules
from schemas.validation import as_decimal

Severity = Literal["safe", "breaking", "breaking_if_in_use", "breaking_if_duplicates"]

# rule -> +1 when a larger value is looser (a maximum), -1 when it is tighter (a minimum)
_LIMITS = {
    "max": 1,
    "max_length": 1,
    "max_items": 1,
    "max_decimals": 1,
    "min": -1,
    "min_length": -1,
    "min_items": -1,
}
_LAYOUT = {"section": None, "order": None, "visible_to": []}  # attribute -> value if absent


@dataclass(frozen=True)
class Change:
    """One change of one field (or, for `layout_changed` with detail target "section",
    of one section). `detail` carries what a service needs to count affected records."""

    key: str
    kind: str
    severity: Severity
    detail: dict[str, Any] = field(default_factory=dict)


def _fields(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in document.get("fields", [])}


def _required(field_def: dict[str, Any]) -> bool:
    return bool(field_def.get("required")) and not field_def.get("archived")


def _added(key: str, new: dict[str, Any]) -> list[Change]:
    changes = [Change(key, "field_added", "safe", {"type": new["type"]})]
    if _required(new):
        changes.append(_required_added(key, new))
    return changes


def _required_added(key: str, new: dict[str, Any]) -> Change:
    default = new.get("default")
    severity: Severity = "safe" if default is not None else "breaking"
    return Change(key, "required_added", severity, {"default": default})


def _limit_direction(rule: str, old: Any, new: Any) -> int:
    """+1 looser, -1 tighter, 0 same, for one limit rule (absent = no limit)."""
    if old == new:
        return 0
    if old is None:
        return -1
    if new is None:
        return 1
    old_value, new_value = as_decimal(old) or Decimal(0), as_decimal(new) or Decimal(0)
    if old_value == new_value:
        return 0
    return _LIMITS[rule] if new_value > old_value else -_LIMITS[rule]


def _rule_changes(key: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    old_rules, new_rules = effective_rules(old), effective_rules(new)
    tightened: dict[str, Any] = {}
    loosened: dict[str, Any] = {}
    for rule in sorted((set(old_rules) | set(new_rules)) - {"options"}):
        before, after = old_rules.get(rule), new_rules.get(rule)
        if before == after:
            continue
        entry = {"old": before, "new": after}
        if rule in _LIMITS:
            direction = _limit_direction(rule, before, after)
            if direction:
                (loosened if direction > 0 else tightened)[rule] = entry
        elif rule == "pattern" and after is None:
            loosened[rule] = entry
        else:  # a new or changed pattern, another currency: old values may not fit
            tightened[rule] = entry
    changes = []
    if tightened:
        changes.append(Change(key, "rules_tightened", "breaking_if_in_use", {"rules": tightened}))
    if loosened:
        changes.append(Change(key, "rules_loosened", "safe", {"rules": loosened}))
    return changes


def _option_changes(key: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = {o["value"]: o["label"] for o in effective_rules(old).get("options", [])}
    after = {o["value"]: o["label"] for o in effective_rules(new).get("options", [])}
    changes = []
    removed = [value for value in before if value not in after]
    added = [value for value in after if value not in before]
    if removed:
        detail = {"removed": removed, "type": new["type"]}
        changes.append(Change(key, "options_removed", "breaking_if_in_use", detail))
    if added:
        changes.append(Change(key, "options_added", "safe", {"added": added}))
    relabelled = {
        value: {"old": before[value], "new": label}
        for value, label in after.items()
        if value in before and before[value] != label
    }
    if relabelled:
        changes.append(Change(key, "label_changed", "safe", {"options": relabelled}))
    return changes


def _field_changes(key: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    if old.get("archived", False) != new.get("archived", False):
        kind = "field_archived" if new.get("archived") else "field_unarchived"
        changes.append(Change(key, kind, "safe"))
    same_type = old["type"] == new["type"]
    if not same_type:
        detail = {"old": old["type"], "new": new["type"]}
        changes.append(Change(key, "type_changed", "breaking", detail))
    if _required(new) and not _required(old):
        changes.append(_required_added(key, new))
    elif _required(old) and not _required(new):
        changes.append(Change(key, "required_removed", "safe"))
    if new.get("unique", False) and not old.get("unique", False):
        detail = {"type": new["type"]}
        changes.append(Change(key, "unique_added", "breaking_if_duplicates", detail))
    elif old.get("unique", False) and not new.get("unique", False):
        changes.append(Change(key, "unique_removed", "safe"))
    if same_type:
        if new["type"] in SELECT_TYPES:
            changes += _option_changes(key, old, new)
        changes += _rule_changes(key, old, new)
    texts = {
        name: {"old": old.get(name), "new": new.get(name)}
        for name in ("label", "help_text")
        if old.get(name) != new.get(name)
    }
    if texts:
        changes.append(Change(key, "label_changed", "safe", texts))
    if old.get("default") != new.get("default"):
        detail = {"old": old.get("default"), "new": new.get("default")}
        changes.append(Change(key, "default_changed", "safe", detail))
    layout = {
        name: {"old": old.get(name, absent), "new": new.get(name, absent)}
        for name, absent in _LAYOUT.items()
        if old.get(name, absent) != new.get(name, absent)
    }
    if layout:
        changes.append(Change(key, "layout_changed", "safe", layout))
    return changes


def _section_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = {s["key"]: s for s in old.get("sections", [])}
    after = {s["key"]: s for s in new.get("sections", [])}
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        if before.get(key) != after.get(key):
            detail = {"target": "section", "old": before.get(key), "new": after.get(key)}
            changes.append(Change(key, "layout_changed", "safe", detail))
    if [k for k in before if k in after] != [k for k in after if k in before]:
        changes.append(Change("", "layout_changed", "safe", {"target": "sections_order"}))
    return changes


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new` (two valid field definitions documents).

    Fields in the new document's order, then removed fields, then section changes.
    """
    old_fields, new_fields = _fields(old), _fields(new)
    changes: list[Change] = []
    for key, new_field in new_fields.items():
        old_field = old_fields.get(key)
        changes += (
            _added(key, new_field)
            if old_field is None
            else _field_changes(key, old_field, new_field)
        )
    for key, old_field in old_fields.items():
        if key not in new_fields:
            detail = {"type": old_field["type"]}
            changes.append(Change(key, "field_removed", "breaking_if_in_use", detail))
    return changes + _section_changes(old, new)


def is_breaking(changes: list[Change]) -> bool:
    """Whether any change needs a plan or a check against the data."""
    return any(change.severity != "safe" for change in changes)
