"""Departments: the tenant's tree, kept as materialised paths so subtrees are one query.
Creating and changing one emits `department.created` / `department.updated`."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from api.auth import Actor
from api.db import atomic, get_scoped, scoped, tenant_scoped
from api.errors import Conflict, FieldErrors, NotFound
from api.events.outbox import diff, emit
from api.org.events import department_state
from api.org.models import Department


def _check_name(errors: FieldErrors, name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    errors.check(0 < len(name) <= 200, ("name",), "length", "Name must be 1-200 characters")
    return name


async def _parent(actor: Actor, parent_id: int | None) -> Department | None:
    if parent_id is None:
        return None
    parent = await tenant_scoped(actor, Department).get_or_none(id=parent_id)
    if parent is None:
        raise NotFound("No such parent department", path=["input", "parentId"])
    return parent


async def create_department(actor: Actor, name: str, parent_id: int | None) -> Department:
    actor.require("org:write")
    parent = await _parent(actor, parent_id)
    errors = FieldErrors()
    name = _check_name(errors, name)
    errors.raise_if_any()
    await _ensure_unique_name(actor, parent, name)
    try:
        async with atomic():
            dept = await Department.create(tenant_id=actor.tenant_id, parent=parent, name=name)
            dept.path = f"{parent.path if parent else '/'}{dept.id}/"
            await dept.save(update_fields=["path"])
            await emit(actor, "department.created", "department", dept.id, department_state(dept))
    except IntegrityError as exc:
        raise Conflict("A sibling department has this name", path=["input", "name"]) from exc
    return dept


async def update_department(
    actor: Actor, dept_id: int, name: str | None, parent_id: int | None, move: bool
) -> Department:
    """Rename a department and/or move it (with its subtree) under another parent."""
    actor.require("org:write")
    dept = await get_scoped(actor, Department, dept_id)
    parent = await _parent(actor, parent_id) if move else None
    errors = FieldErrors()
    name = _check_name(errors, name)
    if move and parent is not None and parent.path.startswith(dept.path):
        errors.add(("parentId",), "noCycle", "A department cannot move under its own subtree")
    errors.raise_if_any()
    new_parent = parent if move else await _parent(actor, dept.parent_id)
    await _ensure_unique_name(actor, new_parent, name or dept.name, exclude=dept.id)
    async with atomic():
        locked = await Department.filter(id=dept.id).select_for_update().get()
        before = department_state(locked)
        if name is not None:
            locked.name = name
        if move:
            old_path = locked.path
            new_path = f"{parent.path if parent else '/'}{locked.id}/"
            locked.parent = parent
            locked.path = new_path
            descendants = await tenant_scoped(actor, Department).filter(
                path__startswith=old_path, id__not=locked.id
            )
            for child in descendants:
                child.path = new_path + child.path[len(old_path) :]
                await child.save(update_fields=["path", "updated_at"])
        try:
            await locked.save()
        except IntegrityError as exc:
            raise Conflict("A sibling department has this name", path=["input", "name"]) from exc
        after = department_state(locked)
        changed = {k: v for k, v in diff(before, after).items() if k != "updatedAt"}
        await emit(actor, "department.updated", "department", locked.id, after, changed=changed)
    return locked


async def _ensure_unique_name(
    actor: Actor, parent: Department | None, name: str | None, exclude: int | None = None
) -> None:
    # NULL parents escape the unique constraint, so roots are checked here as well.
    qs = tenant_scoped(actor, Department).filter(parent_id=parent.id if parent else None, name=name)
    if exclude is not None:
        qs = qs.exclude(id=exclude)
    if await qs.exists():
        raise Conflict("A sibling department has this name", path=["input", "name"])


def visible_departments(actor: Actor):
    """Departments the actor may list (tenant, subtree or own department by data scope)."""
    return scoped(actor, Department)
