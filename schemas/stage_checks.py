"""Checks on a lifecycle stages document that its meta-schema cannot express.

Rules emitted: `duplicate_key` (a stage key used twice; reported on the later one).
"""

from __future__ import annotations

from typing import Any

from schemas.errors import Issue, duplicate_keys


def check_stages(document: dict[str, Any], meta_issues: list[Issue]) -> list[Issue]:
    stages = document.get("stages")
    return duplicate_keys(stages if isinstance(stages, list) else [], "stages", "stage")
