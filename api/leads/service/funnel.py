"""The lead funnel (A1): how many distinct leads took each step (created, assigned,
valid, invalid, to revisit, recycled, released, converted) in a time range, per staff
member or per channel. One grouped query over `LeadTransition`, under the caller's data
scope: staff see their own row, managers their subtree's, admins the tenant's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count

from api.auth import Actor
from api.db import scoped, tenant_scoped
from api.errors import FieldErrors
from api.leads.models import LeadTransition
from api.org.models import Staff
from api.where import as_utc

STEPS = (
    "created",
    "assigned",
    "valid",
    "invalid",
    "to_revisit",
    "recycled",
    "released",
    "converted",
)
GROUPS = {"staff": "staff_id", "channel": "source"}
MAX_RANGE = timedelta(days=400)
NO_STAFF = "(no holder)"


@dataclass
class FunnelRow:
    """Distinct leads per step for one staff member (`key` = staff id, None for steps
    taken while nobody held the lead) or one channel (`key` = the lead's source)."""

    key: int | str | None
    label: str
    created: int = 0
    assigned: int = 0
    valid: int = 0
    invalid: int = 0
    to_revisit: int = 0
    recycled: int = 0
    released: int = 0
    converted: int = 0

    @property
    def conversion_rate(self) -> float | None:
        """Converted over assigned (leads that reached a holder) in the range; None when
        none were assigned. Steps are counted in the same range, so a lead assigned
        before it and converted inside it counts only once, as converted."""
        return self.converted / self.assigned if self.assigned else None


def _check_range(since: datetime, until: datetime, group_by: str) -> tuple[datetime, datetime]:
    errors = FieldErrors(prefix=())  # the query's own arguments: range, groupBy
    errors.check(group_by in GROUPS, ("groupBy",), "enum", "Group by staff or channel")
    since, until = as_utc(since), as_utc(until)
    if errors.check(since < until, ("range", "lt"), "range", "lt must be after gte"):
        errors.check(
            until - since <= MAX_RANGE,
            ("range", "lt"),
            "maxRange",
            f"The range spans at most {MAX_RANGE.days} days",
        )
    errors.raise_if_any()
    return since, until


async def lead_funnel(
    actor: Actor, since: datetime, until: datetime, group_by: str
) -> list[FunnelRow]:
    """Distinct leads per funnel step in [since, until), one row per staff member or
    channel (`group_by` "staff" or "channel"), ordered by key (staff without a holder
    first). Naive datetimes are taken as UTC; the range spans at most 400 days."""
    actor.require("leads:read")
    since, until = _check_range(since, until, group_by)
    column = GROUPS[group_by]
    counts = {step: Count("lead_id", distinct=True, _filter=Q(step=step)) for step in STEPS}
    rows = (
        await scoped(actor, LeadTransition)
        .filter(at__gte=since, at__lt=until, step__in=STEPS)
        .annotate(**counts)
        .group_by(column)
        .values(column, *STEPS)
    )
    names: dict[int, str] = {}
    if group_by == "staff":
        ids = [row[column] for row in rows if row[column] is not None]
        if ids:  # staff reached through transitions that passed the data scope
            names = dict(
                await tenant_scoped(actor, Staff).filter(id__in=ids).values_list("id", "name")
            )
    result = [
        FunnelRow(
            key=row[column],
            label=_label(group_by, row[column], names),
            **{step: row[step] or 0 for step in STEPS},
        )
        for row in rows
    ]
    result.sort(key=lambda r: (r.key is not None, r.key if r.key is not None else 0))
    return result


def _label(group_by: str, key: int | str | None, names: dict[int, str]) -> str:
    if group_by == "channel":
        return str(key)
    if key is None:
        return NO_STAFF
    return names.get(key, f"Staff {key}")  # type: ignore[arg-type]
