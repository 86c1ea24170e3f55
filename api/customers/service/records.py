"""Customer records: create, update, delete, owner and followers. Every write validates
`fields` against the tenant's published customer field version, claims dedup keys, and
writes the timeline in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.auth import Actor
from api.customers.events import emit_customer
from api.customers.models import Customer, CustomerFollower
from api.customers.service import timeline
from api.db import atomic, scoped, tenant_scoped
from api.errors import FieldErrors, NotFound
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

KIND = "customer_fields"
ENTITY = "customer"
TYPE_NAME = "Customer"

register_entity(KIND, lambda: Customer, TYPE_NAME, ENTITY)


def visible_customers(actor: Actor):
    """Customers the actor may see (merged-away records are gone from every list)."""
    actor.require("customers:read")
    return scoped(actor, Customer).filter(merged_into_id=None)


async def get_customer(actor: Actor, customer_id: int) -> Customer:
    row = await visible_customers(actor).get_or_none(id=customer_id)
    if row is None:
        raise NotFound("No Customer with this id")
    return row


@dataclass
class CustomerChanges:
    """Values for create/update; None leaves a value as it is. `fields` holds the custom
    field values to set (a key set to None clears it)."""

    name: str | None = None
    owner_id: int | None = None
    set_owner: bool = False
    source: str | None = None
    fields: dict[str, Any] | None = None


async def _owner(actor: Actor, owner_id: int | None) -> Staff | None:
    if owner_id is None:
        return None
    owner = await scoped(actor, Staff).get_or_none(id=owner_id, active=True)
    if owner is None:
        raise NotFound("No such staff member to own the customer", path=["input", "ownerId"])
    return owner


async def create_customer(actor: Actor, changes: CustomerChanges) -> Customer:
    actor.require("customers:write")
    owner_id = changes.owner_id if changes.set_owner else actor.staff_id
    owner = await _owner(actor, owner_id)
    version, compiled = await current_fields(actor.tenant_id, KIND)
    errors = FieldErrors()
    name = (changes.name or "").strip()
    errors.check(0 < len(name) <= 200, ("name",), "length", "Name must be 1-200 characters")
    values = compiled.with_defaults(
        {k: v for k, v in (changes.fields or {}).items() if v is not None}
    )
    errors.errors += issues_to_errors(compiled.validate(values), ("input", "fields"))
    await check_refs(actor, compiled, values, errors)
    errors.raise_if_any()
    values = compiled.canonicalize(values)
    async with atomic():
        customer = await Customer.create(
            tenant_id=actor.tenant_id,
            name=name,
            owner=owner,
            source=changes.source or "manual",
            fields=values,
            schema_version=version,
            created_by_id=actor.staff_id,
            updated_by_id=actor.staff_id,
        )
        await dedup.claim(
            actor, ENTITY, customer.id, dedup.unique_entries(compiled, values), Customer, TYPE_NAME
        )
        if owner is not None:
            await CustomerFollower.create(tenant_id=actor.tenant_id, customer=customer, staff=owner)
        await timeline.record(actor, actor.tenant_id, customer.id, "created", {"name": name})
        await emit_customer(actor, "customer.created", customer, version=version)
    return customer


async def upgraded_values(
    tenant_id: int, customer: Customer, version: int, compiled: CompiledFields
) -> dict[str, Any]:
    """The customer's values moved to `version` (through the pending migration, if any)."""
    return await values_at_version(tenant_id, KIND, customer, version, compiled)


async def update_customer(actor: Actor, customer_id: int, changes: CustomerChanges) -> Customer:
    actor.require("customers:write")
    customer = await get_customer(actor, customer_id)
    owner = await _owner(actor, changes.owner_id) if changes.set_owner else None
    version, compiled = await current_fields(actor.tenant_id, KIND)
    errors = FieldErrors()
    before_values = await upgraded_values(actor.tenant_id, customer, version, compiled)
    values = dict(before_values)
    for key, value in (changes.fields or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    if changes.name is not None:
        changes.name = changes.name.strip()
        errors.check(
            0 < len(changes.name) <= 200, ("name",), "length", "Name must be 1-200 characters"
        )
    errors.errors += issues_to_errors(compiled.validate(values), ("input", "fields"))
    await check_refs(actor, compiled, values, errors)
    errors.raise_if_any()
    values = compiled.canonicalize(values)
    old_fields = dict(customer.fields or {})
    changed = {
        key: (old_fields.get(key), values.get(key))
        for key in set(old_fields) | set(values)
        if old_fields.get(key) != values.get(key)
    }
    builtin: dict[str, tuple[Any, Any]] = {}
    if changes.name is not None and changes.name != customer.name:
        builtin["name"] = (customer.name, changes.name)
        customer.name = changes.name
    if changes.source is not None and changes.source != customer.source:
        builtin["source"] = (customer.source, changes.source)
        customer.source = changes.source
    if changes.set_owner and (owner.id if owner else None) != customer.owner_id:
        builtin["owner"] = (customer.owner_id, owner.id if owner else None)
        customer.owner = owner
    async with atomic():
        locked = await Customer.filter(id=customer.id).select_for_update().get()
        unique_changed = [k for k in compiled.unique_keys if k in changed]
        if unique_changed or locked.schema_version < version:
            await dedup.release(actor, ENTITY, customer.id)
            await dedup.claim(
                actor,
                ENTITY,
                customer.id,
                dedup.unique_entries(compiled, values),
                Customer,
                TYPE_NAME,
            )
        customer.fields = values
        customer.schema_version = version
        customer.updated_by_id = actor.staff_id
        await customer.save()
        if owner is not None and builtin.get("owner"):
            await CustomerFollower.get_or_create(
                tenant_id=actor.tenant_id, customer_id=customer.id, staff_id=owner.id
            )
        if changed or builtin:
            await timeline.record(
                actor,
                actor.tenant_id,
                customer.id,
                "updated",
                {
                    "changes": {
                        k: {"before": b, "after": a} for k, (b, a) in {**builtin, **changed}.items()
                    }
                },
            )
            await emit_customer(
                actor, "customer.updated", customer, version=version, changed={**builtin, **changed}
            )
    return customer


async def delete_customer(actor: Actor, customer_id: int) -> int:
    actor.require("customers:write")
    customer = await get_customer(actor, customer_id)
    async with atomic():
        await dedup.release(actor, ENTITY, customer.id)
        await emit_customer(actor, "customer.deleted", customer, version=customer.schema_version)
        await Customer.filter(id=customer.id).delete()
    return customer.id


async def set_follower(actor: Actor, customer_id: int, staff_id: int, follow: bool) -> Customer:
    """Add or remove a follower (staff who is also in contact with the customer)."""
    actor.require("customers:write")
    customer = await get_customer(actor, customer_id)
    staff = await tenant_scoped(actor, Staff).get_or_none(id=staff_id)
    if staff is None:
        raise NotFound("No such staff member", path=["input", "staffId"])
    async with atomic():
        if follow:
            _, created = await CustomerFollower.get_or_create(
                tenant_id=actor.tenant_id, customer_id=customer.id, staff_id=staff.id
            )
        else:
            if staff.id == customer.owner_id:
                errors = FieldErrors()
                errors.add(("staffId",), "notOwner", "The owner cannot unfollow; transfer first")
                errors.raise_if_any()
            created = bool(
                await CustomerFollower.filter(customer_id=customer.id, staff_id=staff.id).delete()
            )
        if created:
            await timeline.record(
                actor,
                actor.tenant_id,
                customer.id,
                "follower_added" if follow else "follower_removed",
                {"staffId": staff.id, "name": staff.name},
            )
    return customer
