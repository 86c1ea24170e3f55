"""The per-request GraphQL context: who is calling, the request's DataLoaders, and the
Temporal client. Built once per HTTP request or websocket connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from api.auth import Actor
from api.errors import AppError, Unauthenticated

L = TypeVar("L", bound=DataLoader[Any, Any])


class Loaders:
    """DataLoaders of one request, created on first use: `loaders[DepartmentByIdLoader]`.

    Loader classes take the request's Actor, so their batches stay in its tenant.
    """

    def __init__(self, actor: Actor | None) -> None:
        self._actor = actor
        self._made: dict[type, DataLoader[Any, Any]] = {}

    def __getitem__(self, loader_class: type[L]) -> L:
        loader = self._made.get(loader_class)
        if loader is None:
            if self._actor is None:
                raise Unauthenticated("Sign in first")
            loader = self._made[loader_class] = loader_class(self._actor)  # type: ignore[call-arg]
        return loader  # type: ignore[return-value]


@dataclass
class Context:
    """What resolvers get as `info.context`."""

    request: Request | WebSocket
    response: Response | WebSocket | None = None
    actor_or_none: Actor | None = None
    # Why the credentials were refused; raised only when a field needs an actor, so an
    # expired token does not block `login`.
    auth_error: AppError | None = None
    loaders: Loaders = field(default_factory=lambda: Loaders(None))
    # Per-request memo for values many resolvers need (e.g. visible custom field keys).
    memo: dict[Any, Any] = field(default_factory=dict)
    # The websocket `connection_init` payload (set by strawberry for subscriptions).
    connection_params: dict[str, Any] | None = None

    @property
    def actor(self) -> Actor:
        if self.actor_or_none is None:
            raise self.auth_error or Unauthenticated("Sign in first")
        return self.actor_or_none

    def set_actor(self, actor: Actor | None, error: AppError | None = None) -> None:
        self.actor_or_none = actor
        self.auth_error = error
        self.loaders = Loaders(actor)

    @property
    def client_ip(self) -> str:
        client = self.request.client
        return client.host if client else "unknown"
