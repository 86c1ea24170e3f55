"""Compiling a field definitions document into a JSON Schema 2020-12 document, UI hints,
field specs, dedup keys, filter kinds and one cached validator.

`compile_fields` is cached by the SHA-256 of the document's canonical JSON (sorted keys,
no spaces): compiling an equal document again returns the very same `CompiledFields`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from schemas.compiled import CompiledFields, FieldSpec
from schemas.definitions import FIELDS, canonical_digest
from schemas.errors import InvalidDefinition
from schemas.field_types import FIELD_TYPES, SELECT_TYPES, effective_rules, value_schema
from schemas.validation import make_validator

__all__ = ["CompiledFields", "FieldSpec", "canonical_digest", "compile_fields"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def compile_fields(document: dict[str, Any]) -> CompiledFields:
    """The compiled, cached form of a field definitions document.

    Raises `InvalidDefinition` (with `.issues`) when `check_definition` refuses it.
    """
    digest, canonical = canonical_digest(document)
    return _compile(digest, canonical)


@lru_cache(maxsize=512)
def _compile(digest: str, canonical: str) -> CompiledFields:
    document = json.loads(canonical)
    issues = FIELDS.check(document)
    if issues:
        raise InvalidDefinition(issues)
    specs = [_spec(index, f) for index, f in enumerate(document["fields"])]
    by_key = {spec.key: spec for spec in specs}
    json_schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": {f["key"]: _property(f) for f in document["fields"]},
        "required": [spec.key for spec in specs if spec.enforced_required],
        "additionalProperties": False,
    }
    return CompiledFields(
        digest=digest,
        json_schema=json_schema,
        ui_hints=_ui_hints(document, specs),
        fields=by_key,
        unique_keys=tuple(spec.key for spec in specs if spec.unique),
        filterable=_filterable(specs),
        _validator=make_validator(json_schema),
    )


def _spec(index: int, field: dict[str, Any]) -> FieldSpec:
    return FieldSpec(
        key=field["key"],
        type=field["type"],
        label=field["label"],
        required=field.get("required", False),
        unique=field.get("unique", False),
        default=field.get("default"),
        rules=effective_rules(field),
        archived=field.get("archived", False),
        section=field.get("section"),
        order=field.get("order", index),
        visible_to=tuple(field.get("visible_to", ())),
        help_text=field.get("help_text"),
    )


def _property(field: dict[str, Any]) -> dict[str, Any]:
    schema = value_schema(field)
    if field.get("archived"):
        schema["deprecated"] = True
    return schema


def _filterable(specs: list[FieldSpec]) -> dict[str, str]:
    """key -> SQL value kind; object values list their parts as "key.part"."""
    kinds: dict[str, str] = {}
    for spec in specs:
        kind = FIELD_TYPES[spec.type].filter
        if isinstance(kind, str):
            kinds[spec.key] = kind
        else:
            kinds.update({f"{spec.key}.{part}": sub for part, sub in kind.items()})
    return kinds


def _field_hint(spec: FieldSpec) -> dict[str, Any]:
    hint: dict[str, Any] = {
        "label": spec.label,
        "type": spec.type,
        "widget": FIELD_TYPES[spec.type].widget,
        "help_text": spec.help_text,
        "section": spec.section,
        "visible_to": list(spec.visible_to),
        "required": spec.enforced_required,
        "default": spec.default,
    }
    if spec.type in SELECT_TYPES:
        hint["options"] = [dict(option) for option in spec.rules["options"]]
    for rule in ("currency", "max_decimals", "min", "max", "max_length", "max_items"):
        if rule in spec.rules:
            hint[rule] = spec.rules[rule]
    return hint


def _ui_hints(document: dict[str, Any], specs: list[FieldSpec]) -> dict[str, Any]:
    """Display order of active fields, sections with their fields, one hint per field."""
    ranked = sorted(enumerate(specs), key=lambda item: (item[1].order, item[0]))
    order = [spec.key for _, spec in ranked if not spec.archived]
    section_of = {spec.key: spec.section for spec in specs}
    sections = [
        {
            "key": section["key"],
            "label": section["label"],
            "fields": [key for key in order if section_of[key] == section["key"]],
        }
        for section in document.get("sections", [])
    ]
    return {
        "order": order,
        "sections": sections,
        "fields": {spec.key: _field_hint(spec) for spec in specs if not spec.archived},
        "archived": [spec.key for spec in specs if spec.archived],
    }
