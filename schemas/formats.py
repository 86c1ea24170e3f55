"""Format checks shared by the metadata engine and fixed inputs: email and phone.

jsonschema's own `email` check only looks for "@"; these are the real rules.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
# E.164 with an optional leading +, or a mainland China mobile number; separators allowed.
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def is_email(value: str) -> bool:
    return len(value) <= 254 and _EMAIL.match(value) is not None and ".." not in value


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    """Digits of a phone number, with "+" kept for international numbers."""
    compact = _PHONE_SEPARATORS.sub("", value.strip())
    return compact


def is_phone(value: str) -> bool:
    compact = normalize_phone(value)
    digits = compact[1:] if compact.startswith("+") else compact
    return digits.isdigit() and 6 <= len(digits) <= 15
