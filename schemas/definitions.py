"""The registry of definition kinds and `check_definition`, the gate every definition
document passes before it is stored.

A kind is a meta-schema (`meta/<name>.json`) plus the cross-field checks JSON Schema
cannot express. The entity field kinds all share `field_definitions.json`. Adding a kind
(sales process, ticket template, SOP template...) is one JSON file and one line here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas.errors import Issue
from schemas.field_checks import check_fields
from schemas.meta_schemas import meta_validator
from schemas.stage_checks import check_stages
from schemas.validation import validate_with

CrossCheck = Callable[[dict[str, Any], list[Issue]], list[Issue]]


@dataclass(frozen=True)
class DefinitionKind:
    """One kind of definition document: its meta-schema and its cross-field checks."""

    meta: str
    checks: tuple[CrossCheck, ...] = ()

    def check(self, document: Any) -> list[Issue]:
        """Every issue of `document`: meta-schema first, then the cross-field checks."""
        if not isinstance(document, dict):
            return [Issue((), "type", "must be an object")]
        issues = validate_with(meta_validator(self.meta), _prepared(document))
        for check in self.checks:
            issues += check(document, issues)
        return issues


def canonical_digest(document: dict[str, Any]) -> tuple[str, str]:
    """(SHA-256 hex digest, canonical JSON) of a JSON document: sorted keys, no spaces.

    The digest identifies a definition's content; compiled forms are cached by it.
    """
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest(), canonical


def _prepared(document: dict[str, Any]) -> dict[str, Any]:
    # A field without "rules" is checked as if it had {}: a select then reports its
    # missing options at ("fields", i, "rules", "options") like any other missing rule.
    fields = document.get("fields")
    if not isinstance(fields, list):
        return document
    return {
        **document,
        "fields": [
            {**f, "rules": {}} if isinstance(f, dict) and "rules" not in f else f for f in fields
        ],
    }


FIELDS = DefinitionKind("field_definitions", (check_fields,))
STAGES = DefinitionKind("lifecycle_stages", (check_stages,))

DEFINITION_KINDS: dict[str, DefinitionKind] = {
    "customer_fields": FIELDS,
    "lead_fields": FIELDS,
    "opportunity_fields": FIELDS,
    "ticket_fields": FIELDS,
    "group_fields": FIELDS,
    "lifecycle_stages": STAGES,
}


def check_definition(kind: str, document: dict[str, Any]) -> list[Issue]:
    """All issues of a definition document of `kind` (a key of DEFINITION_KINDS).

    Paths point into the document, e.g. ("fields", 3, "rules", "options"). An empty list
    means the document may be saved and compiled.
    """
    try:
        definition_kind = DEFINITION_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown definition kind {kind!r}") from None
    return definition_kind.check(document)
