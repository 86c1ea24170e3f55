"""Field types: what each type's values look like and how a field's rules shape them.

The declarative part of a type lives in `meta/field_types/<type>.json` under `x-scrm`:
`widget`, `filter` (the SQL value kind, or `{sub_key: kind}` for object values),
`unique` (may it be a dedup key), `value` (the JSON Schema of its values) and
`default_rules` (rules that apply when the admin gives none, e.g. money in CNY with 2
decimals). This module turns a field definition into the JSON Schema of its values and
computes the dedup normal form of unique values.

Rules become keywords as follows: min_length/max_length/pattern -> minLength/maxLength/
pattern, min/max -> minimum/maximum (money: `x-minimum`/`x-maximum` on the amount,
compared as Decimal), max_decimals -> `x-maxDecimals`, min_items/max_items ->
minItems/maxItems, options -> enum (multi_select: items.enum), currency -> const.
Fields that are not required (or archived) also accept null, meaning "no value".
"""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from schemas.formats import normalize_email, normalize_phone
from schemas.meta_schemas import field_type_documents
from schemas.validation import as_decimal

_KEYWORDS = {
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
    "min": "minimum",
    "max": "maximum",
    "max_decimals": "x-maxDecimals",
    "min_items": "minItems",
    "max_items": "maxItems",
}


@dataclass(frozen=True)
class FieldType:
    """One field type as declared by its `x-scrm` annotation."""

    name: str
    widget: str
    filter: str | dict[str, str]
    unique_allowed: bool
    value: dict[str, Any]
    default_rules: dict[str, Any]


def _load_types() -> dict[str, FieldType]:
    types = {}
    for name, document in field_type_documents().items():
        spec = document["x-scrm"]
        types[name] = FieldType(
            name=name,
            widget=spec["widget"],
            filter=spec["filter"],
            unique_allowed=spec["unique"],
            value=spec["value"],
            default_rules=spec.get("default_rules", {}),
        )
    return types


FIELD_TYPES: dict[str, FieldType] = _load_types()
SELECT_TYPES = frozenset({"single_select", "multi_select"})
REF_TYPES = ("staff_ref", "department_ref")


def effective_rules(field: dict[str, Any]) -> dict[str, Any]:
    """The field's rules with its type's default rules filled in."""
    return {**FIELD_TYPES[field["type"]].default_rules, **(field.get("rules") or {})}


def option_values(rules: dict[str, Any]) -> list[str]:
    return [option["value"] for option in rules.get("options", ())]


def _apply_generic(schema: dict[str, Any], rules: dict[str, Any]) -> None:
    for rule, keyword in _KEYWORDS.items():
        if rule in rules:
            schema[keyword] = rules[rule]


def _apply_single_select(schema: dict[str, Any], rules: dict[str, Any]) -> None:
    schema["enum"] = option_values(rules)


def _apply_multi_select(schema: dict[str, Any], rules: dict[str, Any]) -> None:
    schema["items"] = {**schema.get("items", {}), "enum": option_values(rules)}
    _apply_generic(schema, rules)


def _apply_money(schema: dict[str, Any], rules: dict[str, Any]) -> None:
    amount = schema["properties"]["amount"]
    for rule, keyword in (("min", "x-minimum"), ("max", "x-maximum")):
        if rule in rules:
            amount[keyword] = rules[rule]
    if "max_decimals" in rules:
        amount["x-maxDecimals"] = rules["max_decimals"]
    schema["properties"]["currency"]["const"] = rules["currency"]


_BUILDERS = {
    "single_select": _apply_single_select,
    "multi_select": _apply_multi_select,
    "money": _apply_money,
}


def value_schema(field: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one field's values (a property of the compiled document)."""
    field_type = FIELD_TYPES[field["type"]]
    rules = effective_rules(field)
    schema = copy.deepcopy(field_type.value)
    _BUILDERS.get(field_type.name, _apply_generic)(schema, rules)
    required = bool(field.get("required")) and not field.get("archived")
    plain_string = schema.get("type") == "string" and not {"enum", "format"} & set(schema)
    if required and plain_string and "minLength" not in schema:
        schema["minLength"] = 1  # a required text is not satisfied by ""
    if not required:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    schema["title"] = field["label"]
    if field.get("help_text"):
        schema["description"] = field["help_text"]
    if field.get("default") is not None:
        schema["default"] = field["default"]
    return schema


def _text_form(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _url_form(value: str) -> str:
    parts = urlsplit(value.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password is not None:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _number_form(value: Any) -> str:
    number = as_decimal(value)
    if number is None:
        raise ValueError("not a number")
    text = format(number.normalize(), "f")
    return "0" if Decimal(text) == 0 else text


_NORMALIZERS = {
    "text": _text_form,
    "long_text": _text_form,
    "phone": normalize_phone,
    "email": normalize_email,
    "url": _url_form,
    "number": _number_form,
}


def unique_form(type_name: str, value: Any) -> str:
    """The dedup normal form of a (valid) value of a unique-capable type.

    phone: digits with a leading "+" kept; email: stripped, lower-cased; text: NFKC,
    stripped, casefolded; url: scheme and host lower-cased, default port and fragment
    dropped, empty path as "/"; number: canonical decimal ("1.50" and 1.5 -> "1.5").
    """
    if value is None:
        raise ValueError("null has no dedup form: skip it")
    normalizer = _NORMALIZERS.get(type_name)
    if normalizer is None:
        raise ValueError(f"{type_name} values cannot be a dedup key")
    return normalizer(value)
