"""Tag groups and tags: customer tags and chat-group tags kept apart; a group is usable
only by staff of its departments (and their subdepartments); bulk tagging."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.exceptions import IntegrityError

from api.auth import Actor, DataScope
from api.customers.events import emit_customer
from api.customers.models import Customer, CustomerTag, Tag, TagGroup
from api.customers.service import timeline
from api.db import atomic, get_scoped, scoped, tenant_scoped
from api.errors import Conflict, FieldErrors, Forbidden, NotFound
from api.org.models import Department

TARGETS = ("customer", "group")
MAX_BULK = 1000


async def create_tag_group(
    actor: Actor, name: str, target: str, department_ids: Sequence[int], tags: Sequence[str]
) -> TagGroup:
    actor.require("tags:manage")
    errors = FieldErrors()
    name = name.strip()
    errors.check(0 < len(name) <= 100, ("name",), "length", "Name must be 1-100 characters")
    errors.check(target in TARGETS, ("target",), "enum", "Target is customer or group")
    clean = [t.strip() for t in tags]
    for i, tag in enumerate(clean):
        errors.check(0 < len(tag) <= 100, ("tags", i), "length", "Tag must be 1-100 characters")
    errors.check(len(set(clean)) == len(clean), ("tags",), "uniqueItems", "Tags repeat")
    found = await tenant_scoped(actor, Department).filter(id__in=list(department_ids)).count()
    if found != len(set(department_ids)):
        raise NotFound("No such department", path=["input", "departmentIds"])
    errors.raise_if_any()
    try:
        async with atomic():
            group = await TagGroup.create(
                tenant_id=actor.tenant_id,
                name=name,
                target=target,
                department_ids=sorted(set(department_ids)),
            )
            for order, tag in enumerate(clean):
                await Tag.create(tenant_id=actor.tenant_id, group=group, name=tag, order=order)
    except IntegrityError as exc:
        raise Conflict("A tag group with this name exists", path=["input", "name"]) from exc
    return group


async def add_tag(actor: Actor, group_id: int, name: str) -> Tag:
    actor.require("tags:manage")
    group = await get_scoped(actor, TagGroup, group_id)
    errors = FieldErrors()
    name = name.strip()
    errors.check(0 < len(name) <= 100, ("name",), "length", "Tag must be 1-100 characters")
    errors.raise_if_any()
    try:
        async with atomic():
            count = await Tag.filter(group_id=group.id).count()
            return await Tag.create(tenant_id=actor.tenant_id, group=group, name=name, order=count)
    except IntegrityError as exc:
        raise Conflict("The group has this tag", path=["input", "name"]) from exc


async def usable_group_ids(actor: Actor) -> set[int] | None:
    """Tag groups the actor may apply (None = all: admins and API keys)."""
    if actor.data_scope is DataScope.TENANT and (
        actor.api_key_id or actor.has_scope("tags:manage")
    ):
        return None
    own = await Department.get_or_none(id=actor.department_id) if actor.department_id else None
    ancestors = {int(p) for p in own.path.strip("/").split("/")} if own else set()
    usable = set()
    for group in await tenant_scoped(actor, TagGroup).all():
        if not group.department_ids or ancestors & set(group.department_ids):
            usable.add(group.id)
    return usable


async def _tags_for_applying(actor: Actor, tag_ids: Sequence[int]) -> list[Tag]:
    tags = await tenant_scoped(actor, Tag).filter(id__in=list(tag_ids))
    if len(tags) != len(set(tag_ids)):
        raise NotFound("No such tag", path=["input", "tagIds"])
    groups = {g.id: g for g in await TagGroup.filter(id__in=[t.group_id for t in tags])}
    usable = await usable_group_ids(actor)
    for tag in tags:
        group = groups[tag.group_id]
        if group.target != "customer":
            raise Forbidden(f"Tag {tag.name!r} is a chat-group tag, not a customer tag")
        if usable is not None and group.id not in usable:
            raise Forbidden(f"Tags of group {group.name!r} are reserved for other departments")
    return tags


async def tag_customers(
    actor: Actor, customer_ids: Sequence[int], tag_ids: Sequence[int], apply: bool
) -> list[Customer]:
    """Apply (or remove) every tag to every customer, in one transaction."""
    actor.require("customers:write")
    errors = FieldErrors()
    errors.check(
        0 < len(customer_ids) <= MAX_BULK,
        ("customerIds",),
        "maxItems",
        f"Give 1-{MAX_BULK} customers",
    )
    errors.check(len(tag_ids) > 0, ("tagIds",), "minItems", "Give at least one tag")
    errors.raise_if_any()
    tags = await _tags_for_applying(actor, tag_ids)
    customers = await scoped(actor, Customer).filter(id__in=list(customer_ids), merged_into_id=None)
    if len(customers) != len(set(customer_ids)):
        raise NotFound("No such customer", path=["input", "customerIds"])
    async with atomic():
        existing = set(
            await CustomerTag.filter(
                customer_id__in=[c.id for c in customers], tag_id__in=[t.id for t in tags]
            ).values_list("customer_id", "tag_id")
        )
        for customer in customers:
            touched = []
            for tag in tags:
                present = (customer.id, tag.id) in existing
                if apply and not present:
                    await CustomerTag.create(
                        tenant_id=actor.tenant_id,
                        customer_id=customer.id,
                        tag_id=tag.id,
                        created_by_id=actor.staff_id,
                    )
                    touched.append(tag)
                elif not apply and present:
                    await CustomerTag.filter(customer_id=customer.id, tag_id=tag.id).delete()
                    touched.append(tag)
            if touched:
                kind = "tagged" if apply else "untagged"
                names = [t.name for t in touched]
                await timeline.record(actor, actor.tenant_id, customer.id, kind, {"tags": names})
                await emit_customer(
                    actor,
                    "tag.applied" if apply else "tag.removed",
                    customer,
                    version=customer.schema_version,
                    extra={"tags": [{"id": t.id, "name": t.name} for t in touched]},
                )
    return customers


def visible_tag_groups(actor: Actor, target: str | None):
    actor.require("customers:read")
    qs = scoped(actor, TagGroup)
    return qs.filter(target=target) if target else qs
