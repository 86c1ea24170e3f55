"""Recycle policies of pools, as pure functions (no ORM, no I/O: the recycle workflow
imports this module too).

A pool's policy is a JSON document checked against `POLICY_SCHEMA`:

    {"validFollowUp": {"kinds": ["call", "visit"], "minLength": 10},
     "warnHours": 24,
     "tierField": "level",
     "rules": [{"tiers": ["A"], "type": "single", "days": 3, "targetPoolId": 7},
               {"type": "periodic", "days": 7},
               {"type": "staged", "stages": [
                   {"fromDay": 0, "toDay": 10,
                    "action": {"type": "follow_up", "kinds": ["visit"]}},
                   {"fromDay": 10, "toDay": 20,
                    "action": {"type": "stage_reached", "stage": "intent"}}]}]}

Rule types:
- single: recycled unless a valid follow-up happens within `days` of the assignment;
  once one does, the lead is kept for good.
- periodic: a valid follow-up at least every `days` (counted from the assignment, then
  from the last valid follow-up).
- staged: ordered windows (days since the assignment); each needs its action inside the
  window (`stage_reached` counts if reached any time before the window ends). The lead is
  recycled at the end of the first window whose action is missing.

When an assignment starts, `rule_for()` picks the first rule whose `tiers` holds the
lead's tier (the value of its `tierField` custom field), else the first rule without
tiers, and `snapshot()` freezes it with the policy's valid follow-up and warning: the
assignment keeps that snapshot even if the pool's policy changes later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FOLLOW_UP_KINDS = ["call", "visit", "chat", "note"]
ACTION_TYPES = ["follow_up", "material_sent", "stage_reached"]

_DAYS = {"type": "number", "exclusiveMinimum": 0, "maximum": 3650}
_ACTION = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ACTION_TYPES},
        "kinds": {"type": "array", "items": {"enum": FOLLOW_UP_KINDS}, "uniqueItems": True},
        "stage": {"type": "string", "minLength": 1, "maxLength": 64},
        "material": {"type": "string", "maxLength": 64},
    },
    "if": {"properties": {"type": {"const": "stage_reached"}}},
    "then": {"required": ["stage"]},
}
_STAGE = {
    "type": "object",
    "required": ["fromDay", "toDay", "action"],
    "additionalProperties": False,
    "properties": {
        "fromDay": {"type": "number", "minimum": 0, "maximum": 3650},
        "toDay": _DAYS,
        "action": _ACTION,
    },
}
_RULE = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["single", "periodic", "staged"]},
        "tiers": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "days": _DAYS,
        "stages": {"type": "array", "items": _STAGE, "minItems": 1, "maxItems": 20},
        "targetPoolId": {"type": ["integer", "null"]},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"enum": ["single", "periodic"]}}},
            "then": {"required": ["days"]},
        },
        {"if": {"properties": {"type": {"const": "staged"}}}, "then": {"required": ["stages"]}},
    ],
}
POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Recycle policy of a pool",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "validFollowUp": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "kinds": {
                    "type": "array",
                    "items": {"enum": FOLLOW_UP_KINDS},
                    "uniqueItems": True,
                    "minItems": 1,
                },
                "minLength": {"type": "integer", "minimum": 0, "maximum": 10000},
            },
        },
        "warnHours": {"type": "number", "minimum": 0, "maximum": 720},
        "tierField": {"type": ["string", "null"], "maxLength": 64},
        "rules": {"type": "array", "items": _RULE, "maxItems": 50},
    },
}


def stage_order_issues(policy: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Checks the schema cannot express: staged windows are ordered and non-empty."""
    issues: list[tuple[tuple[str | int, ...], str]] = []
    for r, rule in enumerate(policy.get("rules", [])):
        previous_end = 0.0
        for s, stage in enumerate(rule.get("stages") or []):
            if stage["toDay"] <= stage["fromDay"]:
                issues.append((("rules", r, "stages", s, "toDay"), "toDay must follow fromDay"))
            elif stage["fromDay"] < previous_end:
                issues.append((("rules", r, "stages", s, "fromDay"), "Windows must not overlap"))
            previous_end = max(previous_end, stage["toDay"])
    return issues


@dataclass(frozen=True)
class Action:
    """Something the holder did to the lead: a follow-up (with its kind and content
    length), a material sent, a stage reached. `id` is its timeline event id."""

    kind: str
    at: datetime
    detail: str = ""
    length: int = 0
    id: int = 0


def rule_for(policy: dict[str, Any], lead_fields: dict[str, Any]) -> dict[str, Any] | None:
    """The rule for a lead of this tier: first rule naming its tier, else the first rule
    naming none; None when the pool does not recycle such leads."""
    tier_field = policy.get("tierField")
    tier = lead_fields.get(tier_field) if tier_field else None
    rules = policy.get("rules") or []
    if tier is not None:
        for rule in rules:
            if str(tier) in (rule.get("tiers") or []):
                return rule
    for rule in rules:
        if not rule.get("tiers"):
            return rule
    return None


def snapshot(policy: dict[str, Any], lead_fields: dict[str, Any]) -> dict[str, Any] | None:
    """The rule an assignment keeps: the tier's rule plus the policy's valid follow-up
    and warning, frozen at assignment time."""
    rule = rule_for(policy, lead_fields)
    if rule is None:
        return None
    tier_field = policy.get("tierField")
    return {
        **rule,
        "validFollowUp": policy.get("validFollowUp") or {},
        "warnHours": policy.get("warnHours", 0),
        "tier": lead_fields.get(tier_field) if tier_field else None,
    }


def is_valid_follow_up(rule: dict[str, Any], action: Action, kinds: Iterable[str] = ()) -> bool:
    """Whether `action` is a follow-up that counts under the rule (and of `kinds`, if given)."""
    if action.kind != "follow_up":
        return False
    valid = rule.get("validFollowUp") or {}
    allowed = valid.get("kinds") or FOLLOW_UP_KINDS
    wanted = list(kinds) or allowed
    return (
        action.detail in allowed
        and action.detail in wanted
        and action.length >= valid.get("minLength", 0)
    )


def _satisfies(rule: dict[str, Any], want: dict[str, Any], action: Action) -> bool:
    if want["type"] == "follow_up":
        return is_valid_follow_up(rule, action, want.get("kinds") or ())
    if want["type"] == "material_sent":
        return action.kind == "material_sent" and (
            not want.get("material") or action.detail == want["material"]
        )
    return action.kind == "stage_reached" and action.detail == want.get("stage")


def next_deadline(
    rule: dict[str, Any] | None, started_at: datetime, actions: Iterable[Action]
) -> datetime | None:
    """When the lead is recycled unless something more happens; None: never (no rule,
    or a single/staged rule already satisfied)."""
    if not rule:
        return None
    actions = list(actions)
    kind = rule["type"]
    if kind == "single":
        deadline = started_at + timedelta(days=rule["days"])
        if any(is_valid_follow_up(rule, a) and a.at <= deadline for a in actions):
            return None
        return deadline
    if kind == "periodic":
        times = [a.at for a in actions if is_valid_follow_up(rule, a)]
        return max([started_at, *times]) + timedelta(days=rule["days"])
    for stage in rule["stages"]:  # staged
        opens = started_at + timedelta(days=stage["fromDay"])
        closes = started_at + timedelta(days=stage["toDay"])
        want = stage["action"]
        done = any(
            _satisfies(rule, want, a)
            and a.at <= closes
            and (want["type"] == "stage_reached" or a.at >= opens)
            for a in actions
        )
        if not done:
            return closes
    return None
