"""Mutation root of the leads domain: pools, lead records and what happens to leads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from api.customers.service.records import KIND as CUSTOMER_KIND
from api.customers.types import Customer
from api.inputs import fields_object, optional_id
from api.leads.inputs import (
    AddLeadFollowUpInput,
    ArchivePoolInput,
    AssignLeadsInput,
    AutoAssignLeadsInput,
    ConvertLeadInput,
    CreateLeadInput,
    CreatePoolInput,
    LeadIdInput,
    MarkLeadInput,
    RecordLeadActionInput,
    ReleaseLeadInput,
    RemovePoolMemberInput,
    SetPoolMemberInput,
    TransferLeadsInput,
    UpdateLeadInput,
    UpdatePoolInput,
    policy_document,
)
from api.leads.models import Lead as LeadRow
from api.leads.service import conversion, follow_ups, holding, pools, records
from api.leads.service.records import KIND, LeadChanges
from api.leads.types import Lead, Pool
from api.metadata.service import hidden_fields
from api.permissions import requires
from api.relay import decode_id

Input = strawberry.argument(description="The input; see its type.")


@strawberry.type(description="The pool created or changed.")
class PoolPayload:
    pool: Pool = strawberry.field(description="The pool.")


@strawberry.type(description="The lead created or changed.")
class LeadPayload:
    lead: Lead = strawberry.field(description="The lead, as it is now.")


@strawberry.type(description="The leads changed.")
class LeadsPayload:
    leads: list[Lead] = strawberry.field(description="The leads, as they are now.")


@strawberry.type(description="The lead deleted.")
class DeleteLeadPayload:
    deleted_id: relay.GlobalID = strawberry.field(description="Id of the deleted lead.")


@strawberry.type(description="The lead converted and the customer it became.")
class ConvertLeadPayload:
    lead: Lead = strawberry.field(description="The lead, now `converted`.")
    customer: Customer = strawberry.field(description="The new customer.")


async def _leads(info: Info, rows: Sequence[LeadRow]) -> list[Lead]:
    """Leads as the caller may see them (fields hidden from its roles left out)."""
    hidden = await hidden_fields(info.context.actor, KIND)
    return [Lead.from_row(row, hidden) for row in rows]


async def _lead(info: Info, row: LeadRow) -> LeadPayload:
    return LeadPayload(lead=(await _leads(info, [row]))[0])


def _pool_changes(input: CreatePoolInput | UpdatePoolInput) -> pools.PoolChanges:
    holding_cap = getattr(input, "holding_cap", None)
    claims_per_day = getattr(input, "claims_per_day", None)
    return pools.PoolChanges(
        name=input.name,
        description=input.description,
        holding_cap=None if holding_cap is strawberry.UNSET else holding_cap,
        set_holding_cap=holding_cap is not strawberry.UNSET,
        claims_per_day=None if claims_per_day is strawberry.UNSET else claims_per_day,
        set_claims_per_day=claims_per_day is not strawberry.UNSET,
        claim_interval_seconds=input.claim_interval_seconds,
        strategy=input.strategy.value if input.strategy is not None else None,
        recycle=policy_document(input.recycle) if input.recycle is not None else None,
        department_ids=(
            [decode_id(d, "Department") for d in input.department_ids]
            if input.department_ids is not None
            else None
        ),
    )


@strawberry.type
class LeadMutations:
    # -- pools ---------------------------------------------------------------------------

    @strawberry.mutation(
        description="Create a pool bound to departments.", extensions=requires("pools:manage")
    )
    async def create_pool(
        self, info: Info, input: Annotated[CreatePoolInput, Input]
    ) -> PoolPayload:
        row = await pools.create_pool(info.context.actor, _pool_changes(input))
        return PoolPayload(pool=Pool.from_row(row))

    @strawberry.mutation(
        description="Change a pool. A new recycle policy applies to assignments made from "
        "now on: leads already held keep the rule they were assigned under.",
        extensions=requires("pools:manage"),
    )
    async def update_pool(
        self, info: Info, input: Annotated[UpdatePoolInput, Input]
    ) -> PoolPayload:
        row = await pools.update_pool(
            info.context.actor, decode_id(input.id, "Pool"), _pool_changes(input)
        )
        return PoolPayload(pool=Pool.from_row(row))

    @strawberry.mutation(
        description="Archive a pool: no more claims or recycles into it; its leads stay.",
        extensions=requires("pools:manage"),
    )
    async def archive_pool(
        self, info: Info, input: Annotated[ArchivePoolInput, Input]
    ) -> PoolPayload:
        row = await pools.archive_pool(info.context.actor, decode_id(input.id, "Pool"))
        return PoolPayload(pool=Pool.from_row(row))

    @strawberry.mutation(
        description="Set a staff member's weight, cap override, auto-assignment and online "
        "hours in a pool (they must work in its departments).",
        extensions=requires("pools:manage"),
    )
    async def set_pool_member(
        self, info: Info, input: Annotated[SetPoolMemberInput, Input]
    ) -> PoolPayload:
        actor = info.context.actor
        pool_id = decode_id(input.pool_id, "Pool")
        await pools.set_member(
            actor,
            pool_id,
            decode_id(input.staff_id, "Staff"),
            pools.MemberSettings(
                weight=input.weight,
                holding_cap=input.holding_cap,
                auto_assign=input.auto_assign,
                online=[
                    {"weekdays": w.weekdays, "start": w.start, "end": w.end} for w in input.online
                ],
            ),
        )
        return PoolPayload(pool=Pool.from_row(await pools.get_pool(actor, pool_id)))

    @strawberry.mutation(
        description="Drop a staff member's pool settings (back to the pool's defaults).",
        extensions=requires("pools:manage"),
    )
    async def remove_pool_member(
        self, info: Info, input: Annotated[RemovePoolMemberInput, Input]
    ) -> PoolPayload:
        row = await pools.remove_member(
            info.context.actor, decode_id(input.pool_id, "Pool"), decode_id(input.staff_id, "Staff")
        )
        return PoolPayload(pool=Pool.from_row(row))

    # -- lead records --------------------------------------------------------------------

    @strawberry.mutation(
        description="Create a lead. A value of a unique lead field held by another lead is a "
        "CONFLICT naming the field (with `existingId` when you may see that lead).",
        extensions=requires("leads:write"),
    )
    async def create_lead(
        self, info: Info, input: Annotated[CreateLeadInput, Input]
    ) -> LeadPayload:
        row = await records.create_lead(
            info.context.actor,
            LeadChanges(
                name=input.name,
                source=input.source,
                fields=fields_object(input.fields),
                pool_id=optional_id(input.pool_id, "Pool"),
                owner_id=optional_id(input.owner_id, "Staff"),
            ),
        )
        return await _lead(info, row)

    @strawberry.mutation(description="Change a lead.", extensions=requires("leads:write"))
    async def update_lead(
        self, info: Info, input: Annotated[UpdateLeadInput, Input]
    ) -> LeadPayload:
        row = await records.update_lead(
            info.context.actor,
            decode_id(input.id, "Lead"),
            LeadChanges(name=input.name, source=input.source, fields=fields_object(input.fields)),
        )
        return await _lead(info, row)

    @strawberry.mutation(
        description="Delete a lead (its holder, or with leads:assign).",
        extensions=requires("leads:write"),
    )
    async def delete_lead(
        self, info: Info, input: Annotated[LeadIdInput, Input]
    ) -> DeleteLeadPayload:
        pk = await records.delete_lead(info.context.actor, decode_id(input.id, "Lead"))
        return DeleteLeadPayload(deleted_id=relay.GlobalID("Lead", str(pk)))

    # -- holding -------------------------------------------------------------------------

    @strawberry.mutation(
        description="Claim a waiting lead of one of your pools. CONFLICT when someone else "
        "got it first (`reason: taken`) or your holding cap is reached (`reason: "
        "holdingCap`); RATE_LIMITED (with `retryAfterSeconds`) past the pool's claim limits.",
        extensions=requires("leads:write", staff=True),
    )
    async def claim_lead(self, info: Info, input: Annotated[LeadIdInput, Input]) -> LeadPayload:
        row = await holding.claim(info.context.actor, decode_id(input.id, "Lead"))
        return await _lead(info, row)

    @strawberry.mutation(
        description="Give a held lead back to its pool, with a reason.",
        extensions=requires("leads:write"),
    )
    async def release_lead(
        self, info: Info, input: Annotated[ReleaseLeadInput, Input]
    ) -> LeadPayload:
        row = await holding.release(info.context.actor, decode_id(input.id, "Lead"), input.reason)
        return await _lead(info, row)

    @strawberry.mutation(
        description="Assign leads to a staff member of their pools (all or none; held ones "
        "change holder). Holding caps apply; claim limits do not.",
        extensions=requires("leads:assign"),
    )
    async def assign_leads(
        self, info: Info, input: Annotated[AssignLeadsInput, Input]
    ) -> LeadsPayload:
        rows = await holding.assign(
            info.context.actor,
            [decode_id(i, "Lead") for i in input.lead_ids],
            decode_id(input.staff_id, "Staff"),
        )
        return LeadsPayload(leads=await _leads(info, rows))

    @strawberry.mutation(
        description="Assign a batch of a pool's waiting leads, oldest first, by its strategy "
        "(round robin, weighted, least loaded) to its staff who are online and under their "
        "cap. Returns the leads assigned.",
        extensions=requires("leads:assign"),
    )
    async def auto_assign_leads(
        self, info: Info, input: Annotated[AutoAssignLeadsInput, Input]
    ) -> LeadsPayload:
        rows = await holding.auto_assign(
            info.context.actor,
            decode_id(input.pool_id, "Pool"),
            input.limit,
            input.strategy.value if input.strategy else None,
        )
        return LeadsPayload(leads=await _leads(info, rows))

    @strawberry.mutation(
        description="Move leads to another pool (all or none); held ones are released into it.",
        extensions=requires("leads:assign"),
    )
    async def transfer_leads(
        self, info: Info, input: Annotated[TransferLeadsInput, Input]
    ) -> LeadsPayload:
        rows = await holding.transfer(
            info.context.actor,
            [decode_id(i, "Lead") for i in input.lead_ids],
            decode_id(input.pool_id, "Pool"),
            input.reason,
        )
        return LeadsPayload(leads=await _leads(info, rows))

    @strawberry.mutation(
        description="Mark a lead valid, invalid or to revisit (its holder, or with leads:assign).",
        extensions=requires("leads:write"),
    )
    async def mark_lead(self, info: Info, input: Annotated[MarkLeadInput, Input]) -> LeadPayload:
        row = await holding.mark(
            info.context.actor, decode_id(input.id, "Lead"), input.status.value, input.reason
        )
        return await _lead(info, row)

    # -- what the holder does ------------------------------------------------------------

    @strawberry.mutation(
        description="Record a follow-up on a lead; a valid one moves its recycle deadline.",
        extensions=requires("leads:write"),
    )
    async def add_lead_follow_up(
        self, info: Info, input: Annotated[AddLeadFollowUpInput, Input]
    ) -> LeadPayload:
        actor = info.context.actor
        lead_id = decode_id(input.lead_id, "Lead")
        await follow_ups.add_follow_up(actor, lead_id, input.kind, input.content)
        return await _lead(info, await records.get_lead(actor, lead_id))

    @strawberry.mutation(
        description="Record a material sent or a stage reached on a lead (staged recycle "
        "rules can require them).",
        extensions=requires("leads:write"),
    )
    async def record_lead_action(
        self, info: Info, input: Annotated[RecordLeadActionInput, Input]
    ) -> LeadPayload:
        actor = info.context.actor
        lead_id = decode_id(input.lead_id, "Lead")
        await follow_ups.record_action(actor, lead_id, input.kind.value, input.detail)
        return await _lead(info, await records.get_lead(actor, lead_id))

    @strawberry.mutation(
        description="Convert a lead into a customer: custom values carried over by field "
        "key, dedup keys of customers checked (CONFLICT with `existingId`), both timelines "
        "linked.",
        extensions=requires("leads:write", "customers:write"),
    )
    async def convert_lead(
        self, info: Info, input: Annotated[ConvertLeadInput, Input]
    ) -> ConvertLeadPayload:
        actor = info.context.actor
        lead, customer = await conversion.convert_lead(
            actor,
            decode_id(input.id, "Lead"),
            name=input.name,
            fields=fields_object(input.fields),
            owner_id=optional_id(input.owner_id, "Staff"),
        )
        return ConvertLeadPayload(
            lead=(await _leads(info, [lead]))[0],
            customer=Customer.from_row(customer, await hidden_fields(actor, CUSTOMER_KIND)),
        )
