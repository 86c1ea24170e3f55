"""The format checks added for the engine (email and phone are tested where they are used)."""

from __future__ import annotations

import pytest

from schemas.formats import is_date, is_datetime, is_decimal, is_email, is_http_url, is_phone


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2024-02-29", True),
        ("2026-02-30", False),
        ("2026-13-01", False),
        ("2026-1-01", False),
        ("2026-01-01T00:00:00Z", False),
        ("", False),
    ],
)
def test_is_date(value: str, ok: bool) -> None:
    assert is_date(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-01-31T09:30:00+08:00", True),
        ("2026-01-31t09:30:00.123456789z", True),
        ("2026-01-31T09:30:00-23:59", True),
        ("2026-01-31T09:30:00", False),
        ("2026-01-31 09:30:00Z", False),
        ("2026-02-30T09:30:00Z", False),
        ("2026-01-31T09:30:00+24:00", False),
        ("2026-01-31T09:60:00Z", False),
    ],
)
def test_is_datetime(value: str, ok: bool) -> None:
    assert is_datetime(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://example.com", True),
        ("http://例子.中国/路径", True),
        ("http://[::1]:8080/x", True),
        ("http://localhost:3000", True),
        ("http://", False),
        ("ftp://example.com", False),
        ("example.com", False),
        ("https://exa mple.com", False),
        ("http://-bad-.com", False),
        ("http://example.com:99999", False),
        ("http://[zz]/", False),
    ],
)
def test_is_http_url(value: str, ok: bool) -> None:
    assert is_http_url(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0", True),
        ("-12.50", True),
        ("007", False),
        ("1e3", False),
        ("1.", False),
        (".5", False),
        ("1,000", False),
        ("1" * 41, False),
    ],
)
def test_is_decimal(value: str, ok: bool) -> None:
    assert is_decimal(value) is ok


def test_existing_checks_still_behave() -> None:
    assert is_email("a@b.co") and not is_email("a@b") and not is_email("x@@y.com")
    assert is_phone("+86 138 0013 8000") and not is_phone("call me")


def test_only_ascii_digits() -> None:
    assert not is_date("\u0662\u0660\u0662\u0666-01-01")  # Arabic-Indic 2026
    assert not is_datetime("2026-01-01T0\u0661:00:00Z")


def test_no_trailing_newline() -> None:
    assert not is_date("2026-01-01\n")
    assert not is_datetime("2026-01-01T00:00:00Z\n")
    assert not is_decimal("1.5\n")
