"""Format checks shared by the metadata engine and fixed inputs: email, phone, date,
date-time, http(s) URL and decimal strings.

jsonschema's own `email` check only looks for "@"; these are the real rules.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
# E.164 with an optional leading +, or a mainland China mobile number; separators allowed.
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def is_email(value: str) -> bool:
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None and ".." not in value


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


# --- formats checked by the metadata engine's FormatChecker (schemas.validation) ---

_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
# RFC 3339 section 5.6: a full date, "T", a full time and a mandatory offset ("Z" or ±hh:mm).
_DATETIME = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$"
)
_DECIMAL = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9\u00a1-\uffff-]{1,63}(?<!-)$")


def is_date(value: str) -> bool:
    """A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not)."""
    match = _DATE.fullmatch(value)
    if match is None:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def parse_datetime(value: str) -> datetime | None:
    """An RFC 3339 date-time with its timezone as an aware datetime, or None if invalid."""
    match = _DATETIME.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if not zulu and (int(off_h) > 23 or int(off_m) > 59):
        return None
    offset = timedelta(0) if zulu else timedelta(hours=int(off_h), minutes=int(off_m))
    if sign == "-":
        offset = -offset
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            micro,
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None


def is_datetime(value: str) -> bool:
    """An RFC 3339 date-time that exists and carries a timezone (`Z` or `±hh:mm`)."""
    return parse_datetime(value) is not None


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host, e.g. `https://example.com/a?b=1`."""
    if not value or len(value) > 2048 or any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return False
    host = parts.hostname
    if not host:
        return False
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    labels = host.rstrip(".").split(".")
    return all(_HOST_LABEL.fullmatch(label) for label in labels)


def is_decimal(value: str) -> bool:
    """A plain decimal string such as `123.45` or `-7` (no exponent, no grouping)."""
    return len(value) <= 40 and _DECIMAL.fullmatch(value) is not None
