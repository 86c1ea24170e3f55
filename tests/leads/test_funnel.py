"""The lead funnel: distinct leads per step by staff and by channel over a range, under
the caller's data scope, in a bounded number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from api.errors import Forbidden, ValidationFailed
from api.leads.models import LeadTransition
from api.leads.service import holding, records
from api.leads.service.conversion import convert_lead
from api.leads.service.funnel import FunnelRow, lead_funnel
from tests.conftest import Org
from tests.leads.helpers import actor, pool_org, waiting_leads

HOUR = timedelta(hours=1)


def _window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - HOUR, now + HOUR


def _counts(row: FunnelRow) -> dict[str, int]:
    steps = ("created", "assigned", "valid", "invalid", "to_revisit", "released", "converted")
    return {step: getattr(row, step) for step in steps if getattr(row, step)}


async def _funnel_org() -> tuple[Org, dict[str, Any]]:
    """Stan (Sales East) claims three web leads: one valid and converted, one invalid,
    one released and claimed again; Stella (Sales) claims an ads lead and converts it.
    One more web lead waits untouched."""
    org, pool = await pool_org()
    admin = await actor(org, "admin")
    stan, stella = await actor(org, "staff"), await actor(org, "staff2")
    web = await waiting_leads(org, pool, 4)
    ads = await records.create_lead(
        admin, records.LeadChanges(name="Ad lead", source="ads", pool_id=pool.id)
    )
    for lead in web[:3]:
        await holding.claim(stan, lead.id)
    await holding.mark(stan, web[0].id, "valid")
    await convert_lead(stan, web[0].id)
    await holding.mark(stan, web[1].id, "invalid", "wrong number")
    await holding.release(stan, web[2].id, "call back later")
    await holding.claim(stan, web[2].id)
    await holding.claim(stella, ads.id)
    await convert_lead(stella, ads.id)
    return org, {"web": web, "ads": ads}


async def test_funnel_by_staff_and_by_channel() -> None:
    org, _ = await _funnel_org()
    admin = await actor(org, "admin")
    since, until = _window()
    stan, stella = org.people["staff"], org.people["staff2"]

    rows = await lead_funnel(admin, since, until, "staff")
    assert [(r.key, r.label) for r in rows] == [
        (None, "(no holder)"),
        *sorted([(stan.id, stan.name), (stella.id, stella.name)]),
    ]
    by_key = {r.key: r for r in rows}
    assert _counts(by_key[None]) == {"created": 5}  # created into the pool, no holder
    # the released lead was claimed twice: one distinct lead assigned
    assert _counts(by_key[stan.id]) == {
        "assigned": 3,
        "valid": 1,
        "invalid": 1,
        "released": 1,
        "converted": 1,
    }
    assert by_key[stan.id].conversion_rate == pytest.approx(1 / 3)
    assert _counts(by_key[stella.id]) == {"assigned": 1, "converted": 1}
    assert by_key[None].conversion_rate is None

    rows = await lead_funnel(admin, since, until, "channel")
    assert [(r.key, r.label) for r in rows] == [("ads", "ads"), ("web", "web")]
    ads, web = rows
    assert _counts(ads) == {"created": 1, "assigned": 1, "converted": 1}
    assert _counts(web) == {
        "created": 4,
        "assigned": 3,
        "valid": 1,
        "invalid": 1,
        "released": 1,
        "converted": 1,
    }


async def test_steps_outside_the_range_are_left_out() -> None:
    org, leads = await _funnel_org()
    admin = await actor(org, "admin")
    since, until = _window()
    month_ago = datetime.now(UTC) - timedelta(days=30)
    # the ads lead's whole trail happened a month ago
    await LeadTransition.filter(lead_id=leads["ads"].id).update(at=month_ago)
    rows = await lead_funnel(admin, since, until, "channel")
    assert [r.key for r in rows] == ["web"]
    old = await lead_funnel(admin, month_ago - HOUR, month_ago + HOUR, "channel")
    assert [(r.key, r.created, r.converted) for r in old] == [("ads", 1, 1)]
    # until is exclusive, since inclusive
    assert await lead_funnel(admin, month_ago - HOUR, month_ago, "channel") == []
    assert len(await lead_funnel(admin, month_ago, month_ago + HOUR, "channel")) == 1
    # bounds in another time zone (and naive ones, taken as UTC) mean the same instants
    beijing = timezone(timedelta(hours=8))
    assert (
        await lead_funnel(admin, month_ago - HOUR, month_ago.astimezone(beijing), "channel") == []
    )
    naive = month_ago.replace(tzinfo=None)
    assert len(await lead_funnel(admin, naive, naive + HOUR, "channel")) == 1


async def test_funnel_follows_the_data_scope() -> None:
    org, _ = await _funnel_org()
    since, until = _window()
    stan, stella = org.people["staff"], org.people["staff2"]

    rows = await lead_funnel(await actor(org, "staff"), since, until, "staff")
    assert [r.key for r in rows] == [stan.id]
    rows = await lead_funnel(await actor(org, "staff"), since, until, "channel")
    assert [(r.key, r.created, r.assigned) for r in rows] == [("web", 0, 3)]
    # the manager heads Sales: Stan and Stella, not the steps nobody held
    rows = await lead_funnel(await actor(org, "manager"), since, until, "staff")
    assert sorted(r.key for r in rows) == sorted([stan.id, stella.id])
    assert await lead_funnel(await actor(org, "outsider"), since, until, "staff") == []
    with pytest.raises(Forbidden):  # no leads:read
        await lead_funnel(await actor(org, "agent"), since, until, "staff")


async def test_funnel_is_two_queries(count_queries: Any) -> None:
    org, _ = await _funnel_org()
    admin = await actor(org, "admin")
    since, until = _window()
    with count_queries() as counter:
        rows = await lead_funnel(admin, since, until, "staff")
    assert len(rows) == 3
    assert len(counter.statements) == 2, counter.statements  # counts, staff names
    with count_queries() as counter:
        await lead_funnel(admin, since, until, "channel")
    assert len(counter.statements) == 1, counter.statements


async def test_range_is_checked() -> None:
    org, _ = await pool_org()
    admin = await actor(org, "admin")
    now = datetime.now(UTC)
    with pytest.raises(ValidationFailed) as failed:
        await lead_funnel(admin, now, now, "staff")
    assert [(e.path, e.rule) for e in failed.value.errors] == [(("range", "lt"), "range")]
    with pytest.raises(ValidationFailed) as failed:
        await lead_funnel(admin, now - timedelta(days=401), now, "team")
    assert [(e.path, e.rule) for e in failed.value.errors] == [
        (("groupBy",), "enum"),
        (("range", "lt"), "maxRange"),
    ]
    assert await lead_funnel(admin, now - timedelta(days=400), now, "staff") == []
