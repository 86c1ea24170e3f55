"""Recycle of held leads: each assignment with a rule runs a `LeadRecycleWorkflow`
(`lead-recycle:<tenant>:<assignment>`) that sleeps to the next deadline, warns the holder,
and recycles the lead through `recycle_assignment()`, which only succeeds while the lead
is still held by that same assignment.

Services call `watch()` when a hold starts, `unwatch()` when it ends and
`notify_action()` when the holder does something that counts; all three act after the
surrounding transaction commits.
"""

from __future__ import annotations

from api.leads.models import LeadAssignment
from api.leads.recycle import Action


def watch(assignment: LeadAssignment) -> None:
    """After commit, start the assignment's recycle workflow (if it has a rule)."""


def unwatch(tenant_id: int, assignment_id: int, reason: str) -> None:
    """After commit, tell the assignment's workflow that its hold ended."""


def notify_action(tenant_id: int, assignment_id: int, action: Action) -> None:
    """After commit, tell the assignment's workflow what the holder did."""
