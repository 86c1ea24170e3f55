"""The Starlette application: /graphql (HTTP, GraphiQL, graphql-transport-ws), /healthz,
static assets and the designer; tortoise is opened and closed by the lifespan."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

import settings
from api.context import Context
from api.errors import AppError
from api.graphiql import graphiql_html, static_routes
from api.org.service.actors import actor_for_bearer
from api.schema import schema


async def authenticate(context: Context, authorization: str | None) -> None:
    """Set the context's actor from an `Authorization` value, or record why not."""
    if not authorization:
        return
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        context.set_actor(None, AppError("Use `Authorization: Bearer <token>`"))
        return
    try:
        context.set_actor(await actor_for_bearer(credentials.strip()))
    except AppError as error:
        context.set_actor(None, error)


class GraphQLApp(GraphQL):
    """strawberry's ASGI view with our context, websocket auth and offline GraphiQL."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(request=request, response=response)
        if isinstance(request, Request):
            await authenticate(context, request.headers.get("authorization"))
        return context

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        value = params.get("Authorization") or params.get("authorization")
        if not value and params.get("token"):
            value = f"Bearer {params['token']}"
        await authenticate(context, value)
        if context.actor_or_none is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})

    async def process_result(self, request: Request, result: Any) -> Any:
        """Every error carries a code. Documents refused before execution (e.g. the token
        limit while parsing, served through the parser cache) reach here uncoded."""
        for error in result.errors or []:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
        return await super().process_result(request, result)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())


async def healthz(request: Request) -> JSONResponse:
    """Database and Temporal reachability (Temporal: server, and a worker answering)."""
    from workflows.client import get_client
    from workflows.health import ping_temporal

    database: dict[str, Any] = {"ok": True}
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:
        database = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    try:
        async with asyncio.timeout(3):
            client = await get_client()
        temporal = await ping_temporal(client, 3.0)
    except Exception as exc:
        temporal = {"server": False, "worker": False, "detail": f"{type(exc).__name__}: {exc}"}
    temporal["ok"] = bool(temporal["server"] and temporal["worker"])
    ok = database["ok"] and temporal["ok"]
    return JSONResponse(
        {"ok": ok, "database": database, "temporal": temporal}, status_code=200 if ok else 503
    )


def create_app(database_url: str | None = None) -> Starlette:
    graphql = GraphQLApp(schema, allowed_origins=settings.ALLOWED_ORIGINS, keep_alive=True)
    app = Starlette(
        debug=settings.DEBUG,
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            *static_routes(),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=1024)],
        lifespan=_lifespan(database_url),
    )
    return app


def _lifespan(database_url: str | None):
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Starlette):
        async with RegisterTortoise(app, config=settings.tortoise_config(database_url)):
            from api.events.runtime import events_runtime

            async with events_runtime():
                yield

    return lifespan
