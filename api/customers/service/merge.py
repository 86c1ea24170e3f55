"""Merging two records of one customer. Domains that hang rows off customers register a
merge step (`register_merge_step`) that moves them; all steps run in one transaction
with the field merge, and both timelines record the merge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from api.auth import Actor
from api.customers.events import emit_customer
from api.customers.models import Customer, CustomerFollower, CustomerTag, FollowUp, TimelineEvent
from api.customers.service import timeline
from api.customers.service.records import ENTITY, KIND, TYPE_NAME, get_customer, upgraded_values
from api.db import atomic
from api.errors import FieldErrors
from api.metadata import dedup
from api.metadata.service import current_fields, issues_to_errors

MergeStep = Callable[[Actor, Customer, Customer], Awaitable[int]]
MERGE_STEPS: dict[str, MergeStep] = {}
POLICIES = ("survivor", "merged")


def register_merge_step(name: str, step: MergeStep) -> None:
    """`step(actor, survivor, merged)` moves the domain's rows; returns how many."""
    MERGE_STEPS[name] = step


async def _move_followers(actor: Actor, survivor: Customer, merged: Customer) -> int:
    have = set(
        await CustomerFollower.filter(customer_id=survivor.id).values_list("staff_id", flat=True)
    )
    moved = 0
    for row in await CustomerFollower.filter(customer_id=merged.id):
        if row.staff_id not in have:
            await CustomerFollower.create(
                tenant_id=actor.tenant_id, customer_id=survivor.id, staff_id=row.staff_id
            )
            moved += 1
    await CustomerFollower.filter(customer_id=merged.id).delete()
    return moved


async def _move_tags(actor: Actor, survivor: Customer, merged: Customer) -> int:
    have = set(await CustomerTag.filter(customer_id=survivor.id).values_list("tag_id", flat=True))
    moved = (
        await CustomerTag.filter(customer_id=merged.id)
        .exclude(tag_id__in=list(have))
        .update(customer_id=survivor.id)
    )
    await CustomerTag.filter(customer_id=merged.id).delete()
    return moved


async def _move_follow_ups(actor: Actor, survivor: Customer, merged: Customer) -> int:
    return await FollowUp.filter(customer_id=merged.id).update(customer_id=survivor.id)


async def _move_timeline(actor: Actor, survivor: Customer, merged: Customer) -> int:
    return await TimelineEvent.filter(customer_id=merged.id).update(customer_id=survivor.id)


register_merge_step("followers", _move_followers)
register_merge_step("tags", _move_tags)
register_merge_step("followUps", _move_follow_ups)
register_merge_step("timeline", _move_timeline)


async def merge_customers(
    actor: Actor,
    survivor_id: int,
    merged_id: int,
    policy: str,
    field_choices: dict[str, str] | None = None,
) -> tuple[Customer, dict[str, int]]:
    """Merge `merged` into `survivor`. Field values: `policy` says whose value wins when
    both have one (the other fills gaps); `field_choices` overrides it per key."""
    actor.require("customers:write")
    errors = FieldErrors()
    errors.check(policy in POLICIES, ("fieldPolicy",), "enum", "survivor or merged")
    errors.check(survivor_id != merged_id, ("mergedId",), "distinct", "Cannot merge into itself")
    for key, choice in (field_choices or {}).items():
        errors.check(choice in POLICIES, ("fieldChoices", key), "enum", "survivor or merged")
    survivor = await get_customer(actor, survivor_id)
    merged = await get_customer(actor, merged_id)
    errors.raise_if_any()
    version, compiled = await current_fields(actor.tenant_id, KIND)
    a = await upgraded_values(actor.tenant_id, survivor, version, compiled)
    b = await upgraded_values(actor.tenant_id, merged, version, compiled)
    values: dict[str, Any] = {}
    for key in set(a) | set(b):
        prefer = (field_choices or {}).get(key, policy)
        first, second = (a, b) if prefer == "survivor" else (b, a)
        values[key] = first[key] if first.get(key) not in (None, "", []) else second.get(key)
    values = {k: v for k, v in values.items() if v is not None}
    issues = compiled.validate(values)
    if issues:
        errors.errors += issues_to_errors(issues, ("input", "fieldChoices"))
        errors.raise_if_any()
    moved: dict[str, int] = {}
    async with atomic():
        await dedup.release(actor, ENTITY, merged.id)
        await dedup.release(actor, ENTITY, survivor.id)
        await dedup.claim(
            actor, ENTITY, survivor.id, dedup.unique_entries(compiled, values), Customer, TYPE_NAME
        )
        for name, step in MERGE_STEPS.items():
            moved[name] = await step(actor, survivor, merged)
        before = dict(survivor.fields or {})
        survivor.fields = values
        survivor.schema_version = version
        survivor.updated_by_id = actor.staff_id
        await survivor.save()
        merged.merged_into_id = survivor.id
        await merged.save(update_fields=["merged_into_id", "updated_at"])
        summary = {
            "survivorId": survivor.id,
            "mergedId": merged.id,
            "moved": moved,
            "mergedName": merged.name,
            "fieldsBefore": before,
            "fieldsAfter": values,
        }
        await timeline.record(actor, actor.tenant_id, survivor.id, "merged", summary)
        # The merged record keeps one event of its own, pointing at the survivor.
        await timeline.record(
            actor,
            actor.tenant_id,
            merged.id,
            "merged_into",
            {
                "survivorId": survivor.id,
                "survivorName": survivor.name,
            },
        )
        await emit_customer(
            actor,
            "customer.merged",
            survivor,
            version=version,
            extra={"mergedId": merged.id, "moved": moved},
        )
    return survivor, moved
