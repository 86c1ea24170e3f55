"""Inputs, signals and results of the lead recycle workflow and its activities.

Times travel as ISO 8601 strings. An action's `at` is stamped by the workflow with its own
clock (`workflow.now()`); signals and activity results leave it empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A run continues as new past this many history events (Temporal suggests it by itself
# long before its hard limits; this keeps replays of long holds short).
HISTORY_LIMIT = 2_000


@dataclass
class ActionRecord:
    """Something the holder did that a rule may count (recycle.Action without a clock):
    `kind` follow_up | material_sent | stage_reached; `detail` the follow-up kind, the
    material or the stage key; `length` the follow-up's content length; `id` its
    timeline event id (how the workflow tells a repeat from a new action)."""

    kind: str
    detail: str = ""
    length: int = 0
    id: int = 0
    at: str = ""


@dataclass
class RecycleInput:
    """What a run needs: the assignment, its frozen rule and start, and (after a
    continue-as-new) the state carried over."""

    tenant_id: int
    assignment_id: int
    lead_id: int
    rule: dict[str, Any]
    started_at: str
    actions: list[ActionRecord] = field(default_factory=list)
    warned_for: str | None = None  # the deadline the holder was last warned about
    noted_deadline: str | None = None  # the deadline last stored on the assignment
    history_limit: int = HISTORY_LIMIT


@dataclass
class DeadlineInput:
    """The assignment's next deadline (None: the lead is kept) to store for display."""

    tenant_id: int
    assignment_id: int
    deadline: str | None


@dataclass
class CheckInput:
    """A warning or recycle check at `now` (workflow clock) for `deadline`; `known_ids`
    are the timeline ids of the actions the workflow already counts."""

    tenant_id: int
    assignment_id: int
    deadline: str
    now: str
    known_ids: list[int] = field(default_factory=list)


@dataclass
class CheckResult:
    """`status`: warned | recycled | ended (the hold ended otherwise) | actions (the
    database holds `actions` the workflow did not know: nothing was done)."""

    status: str
    actions: list[ActionRecord] = field(default_factory=list)


@dataclass
class RecycleState:
    """What the workflow's `state` query answers."""

    deadline: str | None
    warned_for: str | None
    actions: int
    ended: str | None
