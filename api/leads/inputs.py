"""GraphQL inputs of the leads domain: pool settings and recycle policies, lead writes and
operations, and the `where`/`orderBy` of `leads`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from tortoise.expressions import Q

from api.events.inputs import IDEMPOTENCY_KEY
from api.filters import FieldFilterCompiler
from api.leads.types import LeadStatus, PoolStrategy
from api.relay import decode_id
from api.where import (
    DateTimeRange,
    FieldCondition,
    StringFilter,
    fields_q,
    logic_q,
    range_q,
    string_q,
)

# -- recycle policies --------------------------------------------------------------------


@strawberry.enum(description="Recycle rule types.")
class RecycleRuleType(Enum):
    SINGLE = "single"  # no valid follow-up within `days` of the assignment
    PERIODIC = "periodic"  # a valid follow-up at least every `days`
    STAGED = "staged"  # ordered windows, each with a required action


@strawberry.enum(description="Actions a staged window can require.")
class RequiredActionType(Enum):
    FOLLOW_UP = "follow_up"
    MATERIAL_SENT = "material_sent"
    STAGE_REACHED = "stage_reached"


@strawberry.input(description="What counts as a valid follow-up for recycle rules.")
class ValidFollowUpInput:
    kinds: list[str] | None = strawberry.field(
        default=None, description="Follow-up kinds that count (call, visit, chat, note); all."
    )
    min_length: int = strawberry.field(default=0, description="Least content length.")


@strawberry.input(description="The action a staged window requires.")
class RequiredActionInput:
    type: RequiredActionType = strawberry.field(description="The kind of action.")
    kinds: list[str] | None = strawberry.field(
        default=None, description="follow_up: only these follow-up kinds count."
    )
    stage: str | None = strawberry.field(
        default=None, description="stage_reached: the stage key to reach."
    )
    material: str | None = strawberry.field(
        default=None, description="material_sent: only this material counts; any if null."
    )


@strawberry.input(description="A window of a staged rule, in days since the assignment.")
class RecycleStageInput:
    from_day: float = strawberry.field(description="Window opens (days after assignment).")
    to_day: float = strawberry.field(description="Window closes: recycled then if not done.")
    action: RequiredActionInput = strawberry.field(description="What must happen in it.")


@strawberry.input(description="A recycle rule, for leads of some tiers or all.")
class RecycleRuleInput:
    type: RecycleRuleType = strawberry.field(description="The rule type.")
    tiers: list[str] | None = strawberry.field(
        default=None,
        description="Tier values (of the policy's `tierField`) this rule is for; none: the "
        "default rule.",
    )
    days: float | None = strawberry.field(
        default=None, description="single and periodic: the number of days."
    )
    stages: list[RecycleStageInput] | None = strawberry.field(
        default=None, description="staged: the windows, in order."
    )
    target_pool_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Pool recycled leads go to; null: back to their own."
    )


@strawberry.input(
    description="How held leads are recycled. Applies to assignments made after it is "
    "saved; running assignments keep the rule they started with."
)
class RecyclePolicyInput:
    valid_follow_up: ValidFollowUpInput | None = strawberry.field(
        default=None, description="What counts as a valid follow-up."
    )
    warn_hours: float = strawberry.field(
        default=0, description="Warn the holder this many hours before a recycle; 0: never."
    )
    tier_field: str | None = strawberry.field(
        default=None, description="Custom lead field whose value picks the rule (e.g. level)."
    )
    rules: list[RecycleRuleInput] = strawberry.field(
        default_factory=list, description="Rules; the first matching the lead's tier wins."
    )


def _clean(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


def policy_document(policy: RecyclePolicyInput) -> dict[str, Any]:
    """The stored policy document (validated by the pools service)."""
    rules = []
    for rule in policy.rules:
        doc = _clean(
            {
                "type": rule.type.value,
                "tiers": rule.tiers,
                "days": rule.days,
                "targetPoolId": (
                    decode_id(rule.target_pool_id, "Pool") if rule.target_pool_id else None
                ),
            }
        )
        if rule.stages is not None:
            doc["stages"] = [
                {
                    "fromDay": s.from_day,
                    "toDay": s.to_day,
                    "action": _clean(
                        {
                            "type": s.action.type.value,
                            "kinds": s.action.kinds,
                            "stage": s.action.stage,
                            "material": s.action.material,
                        }
                    ),
                }
                for s in rule.stages
            ]
        rules.append(doc)
    doc: dict[str, Any] = {"warnHours": policy.warn_hours, "rules": rules}
    if policy.valid_follow_up is not None:
        doc["validFollowUp"] = _clean(
            {"kinds": policy.valid_follow_up.kinds, "minLength": policy.valid_follow_up.min_length}
        )
    if policy.tier_field:
        doc["tierField"] = policy.tier_field
    return doc


# -- pools -------------------------------------------------------------------------------


@strawberry.input(description="A new pool.")
class CreatePoolInput:
    name: str = strawberry.field(description="Name, unique in the tenant.")
    department_ids: list[relay.GlobalID] = strawberry.field(
        description="Departments whose staff (and subdepartments' staff) use the pool."
    )
    description: str = strawberry.field(default="", description="What the pool is for.")
    holding_cap: int | None = strawberry.field(
        default=None, description="Most leads one staff member holds from it; null: no cap."
    )
    claims_per_day: int | None = strawberry.field(
        default=None, description="Most claims per staff member per day; null: no limit."
    )
    claim_interval_seconds: int = strawberry.field(
        default=0, description="Least seconds between two claims by one staff member."
    )
    strategy: PoolStrategy = strawberry.field(
        default=PoolStrategy.MANUAL, description="How waiting leads are given out."
    )
    recycle: RecyclePolicyInput | None = strawberry.field(
        default=None, description="Recycle policy; none: held leads are never recycled."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(
    description="Changes to a pool; omitted values stay. A new recycle policy applies to "
    "assignments made from now on; running ones keep their rule."
)
class UpdatePoolInput:
    id: relay.GlobalID = strawberry.field(description="The pool.")
    name: str | None = strawberry.field(default=None, description="New name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    department_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="New departments (replace the old ones)."
    )
    holding_cap: int | None = strawberry.field(
        default=strawberry.UNSET, description="New cap; null removes it."
    )
    claims_per_day: int | None = strawberry.field(
        default=strawberry.UNSET, description="New daily limit; null removes it."
    )
    claim_interval_seconds: int | None = strawberry.field(
        default=None, description="New least interval between claims."
    )
    strategy: PoolStrategy | None = strawberry.field(default=None, description="New strategy.")
    recycle: RecyclePolicyInput | None = strawberry.field(
        default=None, description="New recycle policy (replaces the old one)."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="The pool to archive.")
class ArchivePoolInput:
    id: relay.GlobalID = strawberry.field(description="The pool.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Online hours, business time.")
class OnlineWindowInput:
    weekdays: list[int] = strawberry.field(
        default_factory=lambda: list(range(7)), description="0 = Monday ... 6 = Sunday."
    )
    start: str = strawberry.field(default="00:00", description="From, e.g. 09:00.")
    end: str = strawberry.field(default="23:59:59", description="To, e.g. 18:00 (may wrap).")


@strawberry.input(description="A staff member's settings in a pool.")
class SetPoolMemberInput:
    pool_id: relay.GlobalID = strawberry.field(description="The pool.")
    staff_id: relay.GlobalID = strawberry.field(description="A staff member of its departments.")
    weight: int = strawberry.field(default=1, description="Share of weighted assignment, 0-1000.")
    holding_cap: int | None = strawberry.field(
        default=None, description="Cap overriding the pool's; null: the pool's."
    )
    auto_assign: bool = strawberry.field(default=True, description="Include in auto-assignment.")
    online: list[OnlineWindowInput] = strawberry.field(
        default_factory=list, description="Online hours; none: always."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A staff member whose pool settings to drop.")
class RemovePoolMemberInput:
    pool_id: relay.GlobalID = strawberry.field(description="The pool.")
    staff_id: relay.GlobalID = strawberry.field(description="The staff member.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


# -- leads -------------------------------------------------------------------------------


@strawberry.input(
    description="A new lead: held by `ownerId` if given, else waiting in `poolId`, else "
    "held by the caller."
)
class CreateLeadInput:
    name: str = strawberry.field(description="Display name.")
    source: str = strawberry.field(default="manual", description="Channel, e.g. `web`.")
    fields: JSON | None = strawberry.field(
        default=None, description="Custom field values keyed by field key."
    )
    pool_id: relay.GlobalID | None = strawberry.field(default=None, description="Its pool.")
    owner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Holder (assigning to others needs leads:assign)."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to a lead; omitted values stay as they are.")
class UpdateLeadInput:
    id: relay.GlobalID = strawberry.field(description="The lead.")
    name: str | None = strawberry.field(default=None, description="New name.")
    source: str | None = strawberry.field(default=None, description="New channel.")
    fields: JSON | None = strawberry.field(
        default=None, description="Custom field values to set; a key set to null clears it."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="One lead.")
class LeadIdInput:
    id: relay.GlobalID = strawberry.field(description="The lead.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A held lead to give back to its pool.")
class ReleaseLeadInput:
    id: relay.GlobalID = strawberry.field(description="The lead.")
    reason: str = strawberry.field(description="Why (1-500 characters).")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Leads to assign to one staff member (all or none).")
class AssignLeadsInput:
    lead_ids: list[relay.GlobalID] = strawberry.field(description="Up to 1000 leads.")
    staff_id: relay.GlobalID = strawberry.field(description="The staff member.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A batch of a pool's waiting leads to assign automatically.")
class AutoAssignLeadsInput:
    pool_id: relay.GlobalID = strawberry.field(description="The pool.")
    limit: int = strawberry.field(default=100, description="At most this many (1-1000).")
    strategy: PoolStrategy | None = strawberry.field(
        default=None, description="Strategy for this batch; default: the pool's."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Leads to move to another pool (all or none).")
class TransferLeadsInput:
    lead_ids: list[relay.GlobalID] = strawberry.field(description="Up to 1000 leads.")
    pool_id: relay.GlobalID = strawberry.field(description="The pool they go to.")
    reason: str = strawberry.field(default="", description="Why.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.enum(description="Statuses a lead can be marked with.")
class LeadMark(Enum):
    VALID = "valid"
    INVALID = "invalid"
    TO_REVISIT = "to_revisit"


@strawberry.input(description="A status mark on a lead.")
class MarkLeadInput:
    id: relay.GlobalID = strawberry.field(description="The lead.")
    status: LeadMark = strawberry.field(
        description="valid, invalid (the lead leaves its holder and cannot be claimed), or "
        "to_revisit."
    )
    reason: str = strawberry.field(default="", description="Why.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A follow-up on a lead.")
class AddLeadFollowUpInput:
    lead_id: relay.GlobalID = strawberry.field(description="The lead.")
    kind: str = strawberry.field(description="call, visit, chat or note.")
    content: str = strawberry.field(default="", description="What was said or done.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.enum(description="Actions on a lead that staged recycle rules can require.")
class LeadActionKind(Enum):
    MATERIAL_SENT = "material_sent"
    STAGE_REACHED = "stage_reached"


@strawberry.input(description="An action done on a lead (a material sent, a stage reached).")
class RecordLeadActionInput:
    lead_id: relay.GlobalID = strawberry.field(description="The lead.")
    kind: LeadActionKind = strawberry.field(description="What was done.")
    detail: str = strawberry.field(description="The material sent, or the stage key reached.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A lead to convert into a customer.")
class ConvertLeadInput:
    id: relay.GlobalID = strawberry.field(description="The lead.")
    name: str | None = strawberry.field(default=None, description="Customer name; the lead's.")
    fields: JSON | None = strawberry.field(
        default=None,
        description="Customer field values; they override the lead's values mapped by key.",
    )
    owner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Customer owner; default: the lead's holder."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


# -- where / orderBy ---------------------------------------------------------------------


@strawberry.input(description="Which leads; all given conditions must hold.")
class LeadWhere:
    and_: list[LeadWhere] | None = strawberry.field(
        default=None, name="and", description="All of these."
    )
    or_: list[LeadWhere] | None = strawberry.field(
        default=None, name="or", description="Any of these."
    )
    not_: LeadWhere | None = strawberry.field(default=None, name="not", description="Not this.")
    name: StringFilter | None = strawberry.field(default=None, description="On the name.")
    source: StringFilter | None = strawberry.field(default=None, description="On the channel.")
    status: list[LeadStatus] | None = strawberry.field(default=None, description="One of.")
    pool_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="In one of these pools."
    )
    owner_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Held by one of these staff members."
    )
    waiting: bool | None = strawberry.field(
        default=None, description="Waiting in a pool to be claimed (true) or held (false)."
    )
    created_at: DateTimeRange | None = strawberry.field(default=None, description="Created in.")
    fields: list[FieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom fields."
    )


@strawberry.enum(description="Built-in sort keys of leads.")
class LeadSortKey(Enum):
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input(description="One sort key: a built-in `by` or a custom `field`.")
class LeadOrder:
    by: LeadSortKey | None = strawberry.field(default=None, description="Built-in key.")
    field: str | None = strawberry.field(default=None, description="Custom field key.")
    desc: bool = strawberry.field(default=False, description="Descending.")


def where_to_q(where: LeadWhere, compiler: FieldFilterCompiler, path: tuple = ("where",)) -> Q:
    """Compile a `LeadWhere` tree into one Q (custom fields via the filter compiler)."""
    from api.leads.models import CLAIMABLE

    q = logic_q(where, where_to_q, compiler, path)
    if where.name is not None:
        q &= string_q("name", where.name)
    if where.source is not None:
        q &= string_q("source", where.source)
    if where.status is not None:
        q &= Q(status__in=[s.value for s in where.status])
    if where.pool_ids is not None:
        q &= Q(pool_id__in=[decode_id(i, "Pool") for i in where.pool_ids])
    if where.owner_ids is not None:
        q &= Q(owner_id__in=[decode_id(i, "Staff") for i in where.owner_ids])
    if where.waiting is True:
        q &= Q(owner_id=None, pool_id__isnull=False, status__in=CLAIMABLE)
    elif where.waiting is False:
        q &= Q(owner_id__isnull=False)
    if where.created_at is not None:
        q &= range_q("created_at", where.created_at)
    q &= fields_q(where.fields, compiler, path)
    return q
