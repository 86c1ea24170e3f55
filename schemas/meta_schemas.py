"""Loading the meta-schemas under `schemas/meta/` and the validators built from them.

Each `meta/<name>.json` is one definition kind's meta-schema. Each
`meta/field_types/<type>.json` describes one field type: the rules its definition may
carry (a meta-schema fragment) and, under the `x-scrm` annotation, its widget, its filter
kind, whether it may be unique, the JSON Schema of its values and default rules. This
module assembles the type files into one resource, `urn:scrm:meta:field_types`, that
lists the type names and dispatches each field to its type's rules with if/then, so a
new field type is a new file (plus a value builder in `schemas.field_types` when its
values need more than `x-scrm.value` and the generic rules).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.protocols import Validator as ValidatorProtocol
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from schemas.validation import make_validator

META_DIR = Path(__file__).with_name("meta")
FIELD_TYPES_DIR = META_DIR / "field_types"
FIELD_TYPES_ID = "urn:scrm:meta:field_types"


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def field_type_documents() -> dict[str, dict[str, Any]]:
    """Every `field_types/<type>.json`, by type name, in name order."""
    return {path.stem: _load(path) for path in sorted(FIELD_TYPES_DIR.glob("*.json"))}


def _field_types_index() -> dict[str, Any]:
    names = list(field_type_documents())
    return {
        "$id": FIELD_TYPES_ID,
        "$defs": {"name": {"enum": names}},
        "allOf": [
            {
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": {"$ref": f"{FIELD_TYPES_ID}:{name}"},
            }
            for name in names
        ],
    }


def _without_dialect(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "$schema"}


@cache
def _registry() -> Registry:
    documents = [_load(path) for path in sorted(META_DIR.glob("*.json"))]
    documents += list(field_type_documents().values())
    documents.append(_field_types_index())
    # Without "$schema", a $ref into another file keeps our Validator class: jsonschema
    # switches to its stock Draft202012Validator for subschemas that declare a dialect.
    resources = [
        (doc["$id"], Resource.from_contents(_without_dialect(doc), DRAFT202012))
        for doc in documents
    ]
    return Registry().with_resources(resources)


@cache
def meta_schema(name: str) -> dict[str, Any]:
    """The meta-schema `meta/<name>.json`."""
    path = META_DIR / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no meta-schema named {name!r}")
    return _load(path)


@cache
def meta_validator(name: str) -> ValidatorProtocol:
    """A cached validator for `meta/<name>.json` that resolves refs between meta files."""
    return make_validator(meta_schema(name), registry=_registry())
