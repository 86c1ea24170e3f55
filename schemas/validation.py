"""The one validator class the engine uses, and its format checker.

`Validator` is Draft 2020-12 with four differences, all chosen so errors point where the
user has to look and values are what the database expects:

- `required` reports each missing property at the property's own path;
- `additionalProperties: false` reports each extra property at its own path;
- `integer` means a JSON integer, not a float such as `1.0` (bool is never a number);
- three annotations for decimal strings and numbers: `x-minimum`, `x-maximum` (compared
  as `Decimal`, values may be numbers or decimal strings) and `x-maxDecimals`.

`FORMAT_CHECKER` has real checks (nothing of jsonschema's own): `email`, `phone`, `date`,
`date-time`, `uri` (http/https with a host), `decimal` and `regex`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator as ValidatorProtocol

from schemas.errors import Issue, issues_from_errors
from schemas.formats import is_date, is_datetime, is_decimal, is_email, is_http_url, is_phone

FORMAT_CHECKER = FormatChecker(formats=())


def _string_check(format_name: str, check: Any) -> None:
    FORMAT_CHECKER.checks(format_name)(lambda value: not isinstance(value, str) or check(value))


def _is_regex(value: str) -> bool:
    try:
        re.compile(value)
    except re.error:
        return False
    return True


def _is_email(value: str) -> bool:
    # is_email's regex ends in "$", which also matches before a final newline
    return is_email(value) and not value.endswith("\n")


for _name, _check in {
    "email": _is_email,
    "phone": is_phone,
    "date": is_date,
    "date-time": is_datetime,
    "uri": is_http_url,
    "decimal": is_decimal,
    "regex": _is_regex,
}.items():
    _string_check(_name, _check)


def as_decimal(value: Any) -> Decimal | None:
    """A number or decimal string as a finite Decimal, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str) and is_decimal(value):
        result = Decimal(value)
    else:
        return None
    return result if result.is_finite() else None


def _required(
    validator: ValidatorProtocol, required: list[str], instance: Any, schema: Mapping
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield ValidationError(f"{name!r} is a required property", path=[name])


def _additional_properties(
    validator: ValidatorProtocol, extra: Any, instance: Any, schema: Mapping
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for name in instance:
        if name in known or any(re.search(p, name) for p in patterns):
            continue
        if extra is False:
            yield ValidationError(f"{name!r} is not allowed", path=[name])
        else:
            yield from validator.descend(instance[name], extra, path=name)


def _decimal_bound(lower: bool) -> Any:
    def check(
        validator: ValidatorProtocol, bound: Any, instance: Any, schema: Mapping
    ) -> Iterator[ValidationError]:
        value, limit = as_decimal(instance), as_decimal(bound)
        if value is None or limit is None:
            return
        if (value < limit) if lower else (value > limit):
            yield ValidationError(f"{instance!r} is out of range")

    return check


def _max_decimals(
    validator: ValidatorProtocol, places: int, instance: Any, schema: Mapping
) -> Iterator[ValidationError]:
    value = as_decimal(instance)
    if value is None:
        return
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        yield ValidationError(f"{instance!r} has too many decimal places")


def _strict_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


Validator = validators.extend(
    Draft202012Validator,
    validators={
        "required": _required,
        "additionalProperties": _additional_properties,
        "x-minimum": _decimal_bound(lower=True),
        "x-maximum": _decimal_bound(lower=False),
        "x-maxDecimals": _max_decimals,
    },
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


def make_validator(schema: Mapping[str, Any], **kwargs: Any) -> ValidatorProtocol:
    """A `Validator` for a (trusted, already checked) schema, with our format checker."""
    return Validator(schema, format_checker=FORMAT_CHECKER, **kwargs)


def validate_with(validator: ValidatorProtocol, instance: Any) -> list[Issue]:
    """Every problem of `instance` as Issues."""
    return issues_from_errors(validator.iter_errors(instance))
