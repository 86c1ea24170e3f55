"""Lifecycle stage templates (per business line) and moving customers between stages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from api.auth import Actor
from api.customers.events import emit_customer
from api.customers.models import Customer, LifecycleTemplate
from api.customers.service import timeline
from api.customers.service.records import get_customer
from api.db import atomic, get_scoped, scoped, tenant_scoped
from api.errors import Conflict, FieldErrors, NotFound
from api.metadata.service import issues_to_errors
from api.org.models import Department
from schemas.definitions import check_definition
from schemas.stages import compile_stages


async def save_template(
    actor: Actor,
    template_id: int | None,
    name: str,
    document: Any,
    department_ids: Sequence[int],
    is_default: bool,
) -> LifecycleTemplate:
    """Create or replace a lifecycle template (its stages checked by the meta-schema)."""
    actor.require("metadata:manage")
    errors = FieldErrors()
    name = name.strip()
    errors.check(0 < len(name) <= 100, ("name",), "length", "Name must be 1-100 characters")
    if not isinstance(document, dict):
        errors.add(("document",), "type", "Must be an object")
    else:
        errors.errors += issues_to_errors(
            check_definition("lifecycle_stages", document), ("input", "document")
        )
    found = await tenant_scoped(actor, Department).filter(id__in=list(department_ids)).count()
    if found != len(set(department_ids)):
        raise NotFound("No such department", path=["input", "departmentIds"])
    errors.raise_if_any()
    try:
        async with atomic():
            if is_default:
                await LifecycleTemplate.filter(tenant_id=actor.tenant_id).update(is_default=False)
            if template_id is None:
                return await LifecycleTemplate.create(
                    tenant_id=actor.tenant_id,
                    name=name,
                    document=document,
                    department_ids=sorted(set(department_ids)),
                    is_default=is_default,
                )
            row = await get_scoped(actor, LifecycleTemplate, template_id)
            row.name, row.document, row.is_default = name, document, is_default
            row.department_ids = sorted(set(department_ids))
            await row.save()
            return row
    except IntegrityError as exc:
        raise Conflict("A template with this name exists", path=["input", "name"]) from exc


async def move_stage(
    actor: Actor, customer_id: int, template_id: int | None, stage_key: str
) -> Customer:
    """Move a customer to a stage of a template (default: its current one, else the
    tenant's default template); recorded in the timeline."""
    actor.require("customers:write")
    customer = await get_customer(actor, customer_id)
    wanted = template_id or customer.stage_template_id
    templates = scoped(actor, LifecycleTemplate)
    template = await (
        templates.get_or_none(id=wanted) if wanted else templates.filter(is_default=True).first()
    )
    if template is None:
        raise NotFound("No such lifecycle template", path=["input", "templateId"])
    stages = compile_stages(template.document)
    if stage_key not in stages.keys:
        errors = FieldErrors()
        errors.add(("stageKey",), "enum", f"Stages are {', '.join(stages.keys)}")
        errors.raise_if_any()
    before = customer.stage_key
    async with atomic():
        customer.stage_template_id = template.id
        customer.stage_key = stage_key
        await customer.save(update_fields=["stage_template_id", "stage_key", "updated_at"])
        await timeline.record(
            actor,
            actor.tenant_id,
            customer.id,
            "stage_moved",
            {
                "templateId": template.id,
                "from": before,
                "to": stage_key,
            },
        )
        await emit_customer(
            actor,
            "customer.stage_moved",
            customer,
            version=customer.schema_version,
            changed={"stageKey": (before, stage_key)},
        )
    return customer
