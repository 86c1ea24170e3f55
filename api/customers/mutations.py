"""Mutation root of the customers domain."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from api.customers.service import follow_ups, lifecycle, merge, records, tags
from api.customers.service.records import KIND, CustomerChanges
from api.customers.types import Customer, LifecycleTemplate, Tag, TagGroup
from api.errors import invalid
from api.events.inputs import IDEMPOTENCY_KEY
from api.inputs import fields_object, optional_id
from api.metadata.service import hidden_fields
from api.permissions import requires
from api.relay import decode_id

Input = strawberry.argument(description="The input; see its type.")


@strawberry.input(description="A new customer.")
class CreateCustomerInput:
    name: str = strawberry.field(description="Display name.")
    fields: JSON | None = strawberry.field(
        default=None, description="Custom field values keyed by field key."
    )
    owner_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="Owner (default: the caller)."
    )
    source: str | None = strawberry.field(default=None, description="Channel, e.g. `wecom`.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to a customer; omitted values stay as they are.")
class UpdateCustomerInput:
    id: relay.GlobalID = strawberry.field(description="The customer.")
    name: str | None = strawberry.field(default=None, description="New name.")
    fields: JSON | None = strawberry.field(
        default=None, description="Custom field values to set; a key set to null clears it."
    )
    owner_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="New owner; null leaves it unowned."
    )
    source: str | None = strawberry.field(default=None, description="New source.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="The customer to delete.")
class DeleteCustomerInput:
    id: relay.GlobalID = strawberry.field(description="The customer.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A staff member to add to or remove from a customer's followers.")
class CustomerFollowerInput:
    customer_id: relay.GlobalID = strawberry.field(description="The customer.")
    staff_id: relay.GlobalID = strawberry.field(description="The staff member.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A follow-up record.")
class AddFollowUpInput:
    customer_id: relay.GlobalID = strawberry.field(description="The customer.")
    kind: str = strawberry.field(description="call, visit, chat or note.")
    content: str = strawberry.field(default="", description="What was said or done.")
    next_follow_up_at: datetime | None = strawberry.field(
        default=None, description="When to follow up next."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A new tag group with its tags.")
class CreateTagGroupInput:
    name: str = strawberry.field(description="Group name, unique per target.")
    target: str = strawberry.field(default="customer", description="`customer` or `group`.")
    department_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Only staff of these departments may use the tags."
    )
    tags: list[str] = strawberry.field(default_factory=list, description="Tag names, in order.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A new tag in a group.")
class AddTagInput:
    group_id: relay.GlobalID = strawberry.field(description="The group.")
    name: str = strawberry.field(description="Tag name.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Customers and tags for bulk tagging or untagging.")
class TagCustomersInput:
    customer_ids: list[relay.GlobalID] = strawberry.field(description="Up to 1000 customers.")
    tag_ids: list[relay.GlobalID] = strawberry.field(description="Tags to apply or remove.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A lifecycle stage template to create (no id) or replace.")
class SaveLifecycleTemplateInput:
    id: relay.GlobalID | None = strawberry.field(default=None, description="Template to replace.")
    name: str = strawberry.field(description="Template name.")
    document: JSON = strawberry.field(
        description='Stages: {"stages": [{"key", "label", "order"}]}.'
    )
    department_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Business line: departments using the template."
    )
    is_default: bool = strawberry.field(default=False, description="The tenant's default.")

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Move a customer to a lifecycle stage.")
class MoveCustomerStageInput:
    customer_id: relay.GlobalID = strawberry.field(description="The customer.")
    stage_key: str = strawberry.field(description="The stage to move to.")
    template_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Template (default: current, else the tenant's default)."
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.enum(description="Whose value wins when both records have one.")
class MergePolicy(Enum):
    SURVIVOR = "survivor"
    MERGED = "merged"


@strawberry.input(description="Two records of one customer to merge.")
class MergeCustomersInput:
    survivor_id: relay.GlobalID = strawberry.field(description="The record that remains.")
    merged_id: relay.GlobalID = strawberry.field(description="The record merged into it.")
    field_policy: MergePolicy = strawberry.field(
        default=MergePolicy.SURVIVOR, description="Default winner for field values."
    )
    field_choices: JSON | None = strawberry.field(
        default=None, description='Per-field winner, e.g. {"phone": "merged"}.'
    )

    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type(description="The customer created or changed.")
class CustomerPayload:
    customer: Customer = strawberry.field(description="The customer.")


@strawberry.type(description="The customer deleted.")
class DeleteCustomerPayload:
    deleted_id: relay.GlobalID = strawberry.field(description="Id of the deleted customer.")


@strawberry.type(description="The customers tagged or untagged.")
class TagCustomersPayload:
    customers: list[Customer] = strawberry.field(description="The customers, as they are now.")


@strawberry.type(description="The tag group created.")
class TagGroupPayload:
    tag_group: TagGroup = strawberry.field(description="The group.")


@strawberry.type(description="The tag created.")
class TagPayload:
    tag: Tag = strawberry.field(description="The tag.")


@strawberry.type(description="The lifecycle template saved.")
class LifecycleTemplatePayload:
    template: LifecycleTemplate = strawberry.field(description="The template.")


@strawberry.type(description="The merge result.")
class MergeCustomersPayload:
    customer: Customer = strawberry.field(description="The surviving customer.")
    moved: JSON = strawberry.field(description="Rows moved per merge step.")


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(
        description="Create a customer. A value of a unique field held by another record "
        "is a CONFLICT naming the field (with `existingId` when you may see that record).",
        extensions=requires("customers:write"),
    )
    async def create_customer(
        self, info: Info, input: Annotated[CreateCustomerInput, Input]
    ) -> CustomerPayload:
        set_owner = input.owner_id is not strawberry.UNSET
        changes = CustomerChanges(
            name=input.name,
            fields=fields_object(input.fields),
            source=input.source,
            owner_id=optional_id(input.owner_id, "Staff") if set_owner else None,
            set_owner=set_owner,
        )
        row = await records.create_customer(info.context.actor, changes)
        return CustomerPayload(customer=await _out(info, row))

    @strawberry.mutation(description="Change a customer.", extensions=requires("customers:write"))
    async def update_customer(
        self, info: Info, input: Annotated[UpdateCustomerInput, Input]
    ) -> CustomerPayload:
        set_owner = input.owner_id is not strawberry.UNSET
        changes = CustomerChanges(
            name=input.name,
            fields=fields_object(input.fields),
            source=input.source,
            owner_id=optional_id(input.owner_id, "Staff") if set_owner else None,
            set_owner=set_owner,
        )
        row = await records.update_customer(
            info.context.actor, decode_id(input.id, "Customer"), changes
        )
        return CustomerPayload(customer=await _out(info, row))

    @strawberry.mutation(description="Delete a customer.", extensions=requires("customers:write"))
    async def delete_customer(
        self, info: Info, input: Annotated[DeleteCustomerInput, Input]
    ) -> DeleteCustomerPayload:
        pk = await records.delete_customer(info.context.actor, decode_id(input.id, "Customer"))
        return DeleteCustomerPayload(deleted_id=relay.GlobalID("Customer", str(pk)))

    @strawberry.mutation(
        description="Add a follower to a customer.", extensions=requires("customers:write")
    )
    async def add_customer_follower(
        self, info: Info, input: Annotated[CustomerFollowerInput, Input]
    ) -> CustomerPayload:
        return await _following(info, input, True)

    @strawberry.mutation(
        description="Remove a follower (not the owner).", extensions=requires("customers:write")
    )
    async def remove_customer_follower(
        self, info: Info, input: Annotated[CustomerFollowerInput, Input]
    ) -> CustomerPayload:
        return await _following(info, input, False)

    @strawberry.mutation(
        description="Record a follow-up (call, visit, chat, note).",
        extensions=requires("customers:write"),
    )
    async def add_follow_up(
        self, info: Info, input: Annotated[AddFollowUpInput, Input]
    ) -> CustomerPayload:
        customer_id = decode_id(input.customer_id, "Customer")
        await follow_ups.add_follow_up(
            info.context.actor, customer_id, input.kind, input.content, input.next_follow_up_at
        )
        row = await records.get_customer(info.context.actor, customer_id)
        return CustomerPayload(customer=await _out(info, row))

    @strawberry.mutation(
        description="Create a tag group with its tags.", extensions=requires("tags:manage")
    )
    async def create_tag_group(
        self, info: Info, input: Annotated[CreateTagGroupInput, Input]
    ) -> TagGroupPayload:
        row = await tags.create_tag_group(
            info.context.actor,
            input.name,
            input.target,
            [decode_id(d, "Department") for d in input.department_ids],
            input.tags,
        )
        return TagGroupPayload(tag_group=TagGroup.from_row(row))

    @strawberry.mutation(description="Add a tag to a group.", extensions=requires("tags:manage"))
    async def add_tag(self, info: Info, input: Annotated[AddTagInput, Input]) -> TagPayload:
        row = await tags.add_tag(
            info.context.actor, decode_id(input.group_id, "TagGroup"), input.name
        )
        return TagPayload(tag=Tag.from_row(row))

    @strawberry.mutation(
        description="Apply tags to many customers at once (in one transaction). Tags of a "
        "group reserved for other departments are FORBIDDEN.",
        extensions=requires("customers:write"),
    )
    async def tag_customers(
        self, info: Info, input: Annotated[TagCustomersInput, Input]
    ) -> TagCustomersPayload:
        return await _tagging(info, input, True)

    @strawberry.mutation(
        description="Remove tags from many customers at once.",
        extensions=requires("customers:write"),
    )
    async def untag_customers(
        self, info: Info, input: Annotated[TagCustomersInput, Input]
    ) -> TagCustomersPayload:
        return await _tagging(info, input, False)

    @strawberry.mutation(
        description="Create or replace a lifecycle stage template.",
        extensions=requires("metadata:manage"),
    )
    async def save_lifecycle_template(
        self, info: Info, input: Annotated[SaveLifecycleTemplateInput, Input]
    ) -> LifecycleTemplatePayload:
        row = await lifecycle.save_template(
            info.context.actor,
            optional_id(input.id, "LifecycleTemplate"),
            input.name,
            input.document,
            [decode_id(d, "Department") for d in input.department_ids],
            input.is_default,
        )
        return LifecycleTemplatePayload(template=LifecycleTemplate.from_row(row))

    @strawberry.mutation(
        description="Move a customer to a lifecycle stage (recorded in the timeline).",
        extensions=requires("customers:write"),
    )
    async def move_customer_stage(
        self, info: Info, input: Annotated[MoveCustomerStageInput, Input]
    ) -> CustomerPayload:
        row = await lifecycle.move_stage(
            info.context.actor,
            decode_id(input.customer_id, "Customer"),
            optional_id(input.template_id, "LifecycleTemplate"),
            input.stage_key,
        )
        return CustomerPayload(customer=await _out(info, row))

    @strawberry.mutation(
        description="Merge two records of one customer: followers, tags, follow-ups and "
        "timeline move to the survivor in one transaction; both timelines record it.",
        extensions=requires("customers:write"),
    )
    async def merge_customers(
        self, info: Info, input: Annotated[MergeCustomersInput, Input]
    ) -> MergeCustomersPayload:
        choices = input.field_choices
        if choices is not None and not isinstance(choices, dict):
            raise invalid(("input", "fieldChoices"), "type", "An object keyed by field key")
        row, moved = await merge.merge_customers(
            info.context.actor,
            decode_id(input.survivor_id, "Customer"),
            decode_id(input.merged_id, "Customer"),
            input.field_policy.value,
            choices,
        )
        return MergeCustomersPayload(customer=await _out(info, row), moved=moved)


async def _out(info: Info, row: Any) -> Customer:
    """The customer as the caller may see it (fields hidden from its roles left out)."""
    return Customer.from_row(row, await hidden_fields(info.context.actor, KIND))


async def _following(info: Info, input: CustomerFollowerInput, follow: bool) -> CustomerPayload:
    row = await records.set_follower(
        info.context.actor,
        decode_id(input.customer_id, "Customer"),
        decode_id(input.staff_id, "Staff"),
        follow,
    )
    return CustomerPayload(customer=await _out(info, row))


async def _tagging(info: Info, input: TagCustomersInput, apply: bool) -> TagCustomersPayload:
    hidden = await hidden_fields(info.context.actor, KIND)
    rows = await tags.tag_customers(
        info.context.actor,
        [decode_id(c, "Customer") for c in input.customer_ids],
        [decode_id(t, "Tag") for t in input.tag_ids],
        apply,
    )
    return TagCustomersPayload(customers=[Customer.from_row(r, hidden) for r in rows])
