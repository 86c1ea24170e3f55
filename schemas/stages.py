"""Lifecycle stage templates: compiling a checked `lifecycle_stages` document into an
ordered, cached `CompiledStages`, and diffing two versions of one.

Stages are ordered by `order`, ties by their position in the document.
Diff kinds: `stage_added` (safe), `stage_removed` (breaking_if_in_use: customers may be
in it; detail names the stage), `label_changed`, `layout_changed` (order, color,
is_final) - all safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from schemas.definitions import STAGES, canonical_digest
from schemas.diff import Change
from schemas.errors import InvalidDefinition


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    order: int
    color: str | None = None
    is_final: bool = False


@dataclass(frozen=True, eq=False)
class CompiledStages:
    """The stages of one template version, in order."""

    digest: str
    stages: tuple[Stage, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(stage.key for stage in self.stages)

    def index(self, key: str) -> int:
        """Position of stage `key` (0 = first); KeyError for an unknown stage."""
        for position, stage in enumerate(self.stages):
            if stage.key == key:
                return position
        raise KeyError(key)

    def is_final(self, key: str) -> bool:
        """Whether stage `key` ends the lifecycle; KeyError for an unknown stage."""
        return self.stages[self.index(key)].is_final

    def __contains__(self, key: object) -> bool:
        return any(stage.key == key for stage in self.stages)


def compile_stages(document: dict[str, Any]) -> CompiledStages:
    """The compiled, cached form of a lifecycle stages document.

    Raises `InvalidDefinition` (with `.issues`) when `check_definition` refuses it.
    """
    return _compile(*canonical_digest(document))


@lru_cache(maxsize=256)
def _compile(digest: str, canonical: str) -> CompiledStages:
    document = json.loads(canonical)
    issues = STAGES.check(document)
    if issues:
        raise InvalidDefinition(issues)
    ranked = sorted(enumerate(document["stages"]), key=lambda item: (item[1]["order"], item[0]))
    stages = tuple(
        Stage(
            key=stage["key"],
            label=stage["label"],
            order=stage["order"],
            color=stage.get("color"),
            is_final=stage.get("is_final", False),
        )
        for _, stage in ranked
    )
    return CompiledStages(digest, stages)


def diff_stages(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changes between two valid lifecycle stages documents."""
    before = {stage["key"]: stage for stage in old["stages"]}
    after = {stage["key"]: stage for stage in new["stages"]}
    changes = []
    for key, stage in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(Change(key, "stage_added", "safe"))
            continue
        if previous["label"] != stage["label"]:
            detail = {"label": {"old": previous["label"], "new": stage["label"]}}
            changes.append(Change(key, "label_changed", "safe", detail))
        layout = {
            name: {"old": previous.get(name, absent), "new": stage.get(name, absent)}
            for name, absent in (("order", None), ("color", None), ("is_final", False))
            if previous.get(name, absent) != stage.get(name, absent)
        }
        if layout:
            changes.append(Change(key, "layout_changed", "safe", layout))
    for key in before:
        if key not in after:
            changes.append(Change(key, "stage_removed", "breaking_if_in_use", {"stage": key}))
    return changes
