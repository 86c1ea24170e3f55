"""Lead records: create, update and delete. Every write validates `fields` against the
tenant's published lead field version, claims dedup keys, and writes the timeline in the
same transaction. Where a new lead goes: to its owner when one is named, else into the
named pool (auto-assigned if the pool assigns automatically), else to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.queryset import QuerySet

from api.auth import Actor
from api.db import atomic, get_scoped, scoped, tenant_scoped
from api.errors import FieldErrors, NotFound
from api.leads.events import emit_lead
from api.leads.models import Lead, LeadAssignment, Pool
from api.leads.service import timeline
from api.metadata import dedup
from api.metadata.service import (
    check_refs,
    current_fields,
    issues_to_errors,
    register_entity,
    values_at_version,
)
from api.org.models import Staff
from schemas.compiler import CompiledFields

KIND = "lead_fields"
ENTITY = "lead"
TYPE_NAME = "Lead"

register_entity(KIND, lambda: Lead, TYPE_NAME, ENTITY)


def visible_leads(actor: Actor) -> QuerySet[Lead]:
    """Leads the actor may see: its own, waiting ones in the pools of its departments;
    managers also their subtree's; admins all."""
    actor.require("leads:read")
    return scoped(actor, Lead)


async def get_lead(actor: Actor, lead_id: int) -> Lead:
    actor.require("leads:read")
    return await get_scoped(actor, Lead, lead_id)


def require_holder_or_assigner(actor: Actor, lead: Lead) -> None:
    """FORBIDDEN unless the actor holds the lead or may assign leads (an API key holds
    nothing, so it needs leads:assign)."""
    if actor.staff_id is None or lead.owner_id != actor.staff_id:
        actor.require("leads:assign")


@dataclass
class LeadChanges:
    """Values for create/update; None leaves a value as it is. `fields` holds the custom
    field values to set (a key set to None clears it)."""

    name: str | None = None
    source: str | None = None
    fields: dict[str, Any] | None = None
    pool_id: int | None = None
    owner_id: int | None = None


async def _validated(
    actor: Actor,
    compiled: CompiledFields,
    values: dict[str, Any],
    name: str | None,
    source: str | None,
) -> dict[str, Any]:
    """The canonical values; VALIDATION_FAILED with every failing value at once."""
    errors = FieldErrors()
    if name is not None:
        errors.check(0 < len(name) <= 200, ("name",), "length", "Name must be 1-200 characters")
    if source is not None:
        errors.check(0 < len(source) <= 64, ("source",), "length", "Source is 1-64 characters")
    errors.errors += issues_to_errors(compiled.validate(values), ("input", "fields"))
    await check_refs(actor, compiled, values, errors)
    errors.raise_if_any()
    return compiled.canonicalize(values)


async def create_lead(actor: Actor, changes: LeadChanges) -> Lead:
    """A new lead. With `owner_id`, held by that staff member (an assignment, within the
    pool's cap); else with `pool_id`, waiting in that pool; else held by the caller."""
    from api.leads.service import holding  # holding imports records

    actor.require("leads:write")
    name = (changes.name or "").strip()
    version, compiled = await current_fields(actor.tenant_id, KIND)
    values = compiled.with_defaults(
        {k: v for k, v in (changes.fields or {}).items() if v is not None}
    )
    values = await _validated(actor, compiled, values, name, changes.source or "manual")
    pool = None
    if changes.pool_id is not None:
        pool = await scoped(actor, Pool).get_or_none(id=changes.pool_id, archived=False)
        if pool is None:
            raise NotFound("No such pool", path=["input", "poolId"])
    owner_id = changes.owner_id
    if owner_id is None and pool is None:
        owner_id = actor.staff_id
    if owner_id is not None and owner_id != actor.staff_id:
        actor.require("leads:assign")
        if not await scoped(actor, Staff).filter(id=owner_id, active=True).exists():
            raise NotFound("No such staff member", path=["input", "ownerId"])
    async with atomic():
        lead = await Lead.create(
            tenant_id=actor.tenant_id,
            name=name,
            source=changes.source or "manual",
            fields=values,
            schema_version=version,
            pool=pool,
            created_by_id=actor.staff_id,
        )
        await dedup.claim(
            actor, ENTITY, lead.id, dedup.unique_entries(compiled, values), Lead, TYPE_NAME
        )
        await timeline.record(actor, lead, "created", {"name": name, "source": lead.source})
        await timeline.transition(lead, "created", owner_id)
        await emit_lead(actor, "lead.created", lead)
        if owner_id is not None:
            how = "claim" if owner_id == actor.staff_id else "assign"
            await holding.take(
                actor.tenant_id, lead, owner_id, how=how, by=actor.staff_id, actor=actor
            )
    if owner_id is None and pool is not None and pool.strategy != "manual":
        await holding.auto_assign_lead(actor.tenant_id, lead.id)
        await lead.refresh_from_db()
    return lead


async def update_lead(actor: Actor, lead_id: int, changes: LeadChanges) -> Lead:
    actor.require("leads:write")
    lead = await get_lead(actor, lead_id)
    version, compiled = await current_fields(actor.tenant_id, KIND)
    values = await values_at_version(actor.tenant_id, KIND, lead, version, compiled)
    for key, value in (changes.fields or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    name = changes.name.strip() if changes.name is not None else None
    values = await _validated(actor, compiled, values, name, changes.source)
    old = dict(lead.fields or {})
    changed: dict[str, tuple[Any, Any]] = {
        k: (old.get(k), values.get(k))
        for k in set(old) | set(values)
        if old.get(k) != values.get(k)
    }
    if name is not None and name != lead.name:
        changed["name"] = (lead.name, name)
        lead.name = name
    if changes.source is not None and changes.source != lead.source:
        changed["source"] = (lead.source, changes.source)
        lead.source = changes.source
    async with atomic():
        locked = await Lead.filter(id=lead.id).select_for_update().get()
        if any(k in changed for k in compiled.unique_keys) or locked.schema_version < version:
            await dedup.release(actor, ENTITY, lead.id)
            await dedup.claim(
                actor, ENTITY, lead.id, dedup.unique_entries(compiled, values), Lead, TYPE_NAME
            )
        lead.fields = values
        lead.schema_version = version
        await lead.save(update_fields=["name", "source", "fields", "schema_version", "updated_at"])
        if changed:
            await timeline.record(
                actor,
                lead,
                "updated",
                {"changes": {k: {"before": b, "after": a} for k, (b, a) in changed.items()}},
                assignment_id=lead.assignment_id,
            )
            await emit_lead(actor, "lead.updated", lead, changed=changed)
    return lead


async def delete_lead(actor: Actor, lead_id: int) -> int:
    """Delete a lead the caller holds (or, with leads:assign, any it may see)."""
    from api.leads.service import recycling

    actor.require("leads:write")
    lead = await get_lead(actor, lead_id)
    require_holder_or_assigner(actor, lead)
    async with atomic():
        await dedup.release(actor, ENTITY, lead.id)
        await emit_lead(actor, "lead.deleted", lead)
        if lead.assignment_id is not None:
            recycling.unwatch(lead.tenant_id, lead.assignment_id, "deleted")
        await tenant_scoped(actor, LeadAssignment).filter(lead_id=lead.id).delete()
        await Lead.filter(id=lead.id).delete()
    return lead.id
