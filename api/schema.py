"""The GraphQL schema: the only place that composes the domains' roots."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import Info

import settings
from api.customers.mutations import CustomerMutations
from api.customers.queries import CustomerQueries
from api.errors import NotFound
from api.events.idempotency import idempotent
from api.events.mutations import EventMutations
from api.events.queries import EventQueries
from api.events.subscriptions import EventSubscriptions
from api.extensions import ErrorCodes
from api.leads.mutations import LeadMutations
from api.leads.queries import LeadQueries
from api.metadata.types import MetadataMutations, MetadataQueries
from api.org.mutations import OrgMutations
from api.org.queries import OrgQueries
from api.permissions import requires


@strawberry.type(description="Lookups that span domains.")
class NodeQueries:
    @strawberry.field(
        description="Any object by its global id, if the caller may see it (NOT_FOUND "
        "otherwise, whether it does not exist or is out of the caller's scope).",
        extensions=requires(),
    )
    async def node(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="A global id.")],
    ) -> relay.Node | None:
        try:
            node = await id.resolve_node(info, required=False)
        except (KeyError, ValueError, TypeError) as exc:  # unknown type name in the id
            raise NotFound("No object with this id") from exc
        if node is None:
            raise NotFound("No object with this id")
        return node


@strawberry.type(description="Everything that can be read.")
class Query(OrgQueries, CustomerQueries, LeadQueries, MetadataQueries, EventQueries, NodeQueries):
    pass


@idempotent
@strawberry.type(description="Everything that can be changed. Each mutation takes one `input`.")
class Mutation(OrgMutations, CustomerMutations, LeadMutations, MetadataMutations, EventMutations):
    pass


@strawberry.type(description="Live streams, over a websocket (graphql-transport-ws).")
class Subscription(EventSubscriptions):
    pass


class Schema(strawberry.Schema):
    """Our schema: errors are logged by `ErrorCodes` (unexpected ones only), not here."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        ErrorCodes,
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=30),
    ],
)
