"""Lifecycle stages: compiling, lookups, caching and diffs."""

from __future__ import annotations

import pytest

from schemas.diff import Change
from schemas.errors import InvalidDefinition
from schemas.stages import compile_stages, diff_stages

STAGES = {
    "stages": [
        {"key": "won", "label": "Won", "order": 30, "is_final": True, "color": "#00aa00"},
        {"key": "new", "label": "New", "order": 10},
        {"key": "talking", "label": "Talking", "order": 20},
        {"key": "lost", "label": "Lost", "order": 30, "is_final": True},
    ]
}


def test_keys_in_order_with_ties_by_position() -> None:
    assert compile_stages(STAGES).keys == ("new", "talking", "won", "lost")


def test_index_and_is_final() -> None:
    stages = compile_stages(STAGES)
    assert [stages.index(k) for k in ("new", "talking", "won", "lost")] == [0, 1, 2, 3]
    assert stages.is_final("won") is True
    assert stages.is_final("new") is False
    assert "talking" in stages and "gone" not in stages
    with pytest.raises(KeyError):
        stages.index("gone")
    assert stages.stages[2].color == "#00aa00"


def test_cached_by_content() -> None:
    assert compile_stages(STAGES) is compile_stages({"stages": list(STAGES["stages"])})
    other = {"stages": STAGES["stages"][:2]}
    assert compile_stages(other) is not compile_stages(STAGES)


def test_invalid_document_raises() -> None:
    with pytest.raises(InvalidDefinition) as raised:
        compile_stages({"stages": [{"key": "a", "label": "A", "order": 1}] * 2})
    assert [(i.path, i.rule) for i in raised.value.issues] == [
        (("stages", 1, "key"), "duplicate_key")
    ]


def test_diff_stages() -> None:
    new = {
        "stages": [
            {"key": "new", "label": "Fresh", "order": 10},
            {"key": "talking", "label": "Talking", "order": 25, "color": "#123456"},
            {"key": "won", "label": "Won", "order": 30, "is_final": True, "color": "#00aa00"},
            {"key": "paused", "label": "Paused", "order": 40},
        ]
    }
    assert diff_stages(STAGES, new) == [
        Change("new", "label_changed", "safe", {"label": {"old": "New", "new": "Fresh"}}),
        Change(
            "talking",
            "layout_changed",
            "safe",
            {"order": {"old": 20, "new": 25}, "color": {"old": None, "new": "#123456"}},
        ),
        Change("paused", "stage_added", "safe"),
        Change("lost", "stage_removed", "breaking_if_in_use", {"stage": "lost"}),
    ]
