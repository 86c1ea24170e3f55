"""Value conversions a migration plan may ask for (`convert: {key: "to_text"}`).

Each conversion takes a stored value (whatever the old type was) and the new field, and
returns the converted value or raises `ConversionError` with a readable reason. They look
at the value's shape, not the old definition, so they also work on records written under
older versions.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from schemas.compiled import FieldSpec
from schemas.formats import is_date, parse_datetime
from schemas.validation import as_decimal


class ConversionError(ValueError):
    """A value that a conversion cannot turn into the new type."""


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if Decimal(text) == 0 else text


def _to_text(value: Any, spec: FieldSpec) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _decimal_text(as_decimal(value) or Decimal(0))
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value.get('currency', '')}".strip()
    if isinstance(value, dict) and "province" in value:
        parts = (value.get(part) for part in ("province", "city", "district"))
        return " ".join(part for part in parts if part)
    raise ConversionError("has no text form")


def _number(value: Any) -> Decimal:
    if isinstance(value, dict) and "amount" in value:
        value = value["amount"]
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    number = as_decimal(value)
    if number is None:
        raise ConversionError("is not a number")
    return number


def _to_number(value: Any, spec: FieldSpec) -> int | float:
    number = _number(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _to_money(value: Any, spec: FieldSpec) -> dict[str, str]:
    amount = _number(value)
    places = spec.rules.get("max_decimals", 2)
    if -int(amount.as_tuple().exponent) > places:
        raise ConversionError(f"has more than {places} decimal places")
    return {"amount": format(amount, "f"), "currency": spec.rules["currency"]}


def _option(value: Any, spec: FieldSpec) -> str:
    text = value.strip() if isinstance(value, str) else _to_text(value, spec)
    values = [option["value"] for option in spec.rules.get("options", ())]
    if text in values:
        return text
    by_label = {option["label"]: option["value"] for option in spec.rules.get("options", ())}
    if text in by_label:
        return by_label[text]
    raise ConversionError("matches no option value or label")


def _to_single_select(value: Any, spec: FieldSpec) -> str:
    if isinstance(value, list):
        if len(value) != 1:
            raise ConversionError("has more than one value")
        value = value[0]
    return _option(value, spec)


def _to_multi_select(value: Any, spec: FieldSpec) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(_option(item, spec) for item in items))


def _to_date(value: Any, spec: FieldSpec) -> str:
    if isinstance(value, str):
        text = value.strip()
        if is_date(text):
            return text
        moment = parse_datetime(text)
        if moment is not None:
            return moment.date().isoformat()  # the date where it was written
    raise ConversionError("is not a date")


CONVERSIONS: dict[str, Callable[[Any, FieldSpec], Any]] = {
    "to_text": _to_text,
    "to_long_text": _to_text,
    "to_number": _to_number,
    "to_money": _to_money,
    "to_single_select": _to_single_select,
    "to_multi_select": _to_multi_select,
    "to_date": _to_date,
}


def target_type(conversion: str) -> str:
    """The field type a conversion produces ("to_text" -> "text")."""
    return conversion.removeprefix("to_")


def convert(conversion: str, value: Any, spec: FieldSpec) -> Any:
    """`value` converted for the new field `spec`; raises ConversionError."""
    return CONVERSIONS[conversion](value, spec)
