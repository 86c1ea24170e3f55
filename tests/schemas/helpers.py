"""Builders for field definition documents used across the schemas tests."""

from __future__ import annotations

from typing import Any

OPTIONS = [
    {"value": "a", "label": "A"},
    {"value": "b", "label": "B"},
    {"value": "c", "label": "C"},
]


def field(key: str, type_: str, **extra: Any) -> dict[str, Any]:
    """A field definition with a label derived from its key."""
    return {"key": key, "label": key.title(), "type": type_, **extra}


def select(key: str, type_: str = "single_select", **extra: Any) -> dict[str, Any]:
    rules = {"options": [dict(o) for o in OPTIONS], **extra.pop("rules", {})}
    return field(key, type_, rules=rules, **extra)


def doc(*fields: dict[str, Any], sections: list[dict[str, str]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"fields": list(fields)}
    if sections is not None:
        document["sections"] = sections
    return document
