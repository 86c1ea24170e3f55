"""Shared test fixtures: a migrated database (a temporary SQLite file, or a fresh
PostgreSQL database when DATABASE_URL points at PostgreSQL), the time-skipping Temporal
server with a worker, two tenants with staff of every role, and GraphQL clients.

The database is created once per session and never emptied: tests create what they need
beside the shared tenants, as real tenants would.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os

# Cheap password hashes: tests create many staff; the cost is a setting like any other.
os.environ.setdefault("PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PASSWORD_HASH_MEMORY_KIB", "1024")
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from temporalio.testing import WorkflowEnvironment
from tortoise import Tortoise
from tortoise.migrations.api import migrate

import settings
from api.app import create_app
from api.auth import Role, issue_access_token
from api.events.models import Event
from api.events.service.endpoints import create_endpoint, replay_event
from api.org.models import Staff, Tenant
from api.org.service.actors import actor_for_staff
from api.org.service.api_keys import create_api_key
from api.org.service.departments import create_department
from api.org.service.notifications import notify
from api.org.service.staff import StaffChanges, create_staff
from api.org.service.tenants import create_tenant
from workflows.client import set_client
from workflows.devserver import find_executable
from workflows.worker import build_worker

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    base = settings.DATABASE_URL
    if not is_postgres(base):
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    # Never the named database itself: a fresh one beside it, dropped at the end, so
    # pointing DATABASE_URL at a development database is safe.
    parts = urlsplit(base)
    name = f"scrm_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture(scope="session", autouse=True)
async def db(database_url: str) -> AsyncIterator[str]:
    """The test database, migrated with the project's migrations, tortoise open."""
    config = settings.tortoise_config(database_url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    yield database_url
    await Tortoise.close_connections()


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server: timers of days pass in milliseconds."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_executable("temporal-test-server")
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session", autouse=True)
async def temporal_worker(temporal_env: WorkflowEnvironment, db: str) -> AsyncIterator[Any]:
    """A worker for every registered workflow on the default task queue, and the API's
    client pointed at the test server, for the whole session."""
    set_client(temporal_env.client)
    worker = build_worker(temporal_env.client)
    task = asyncio.create_task(worker.run())
    yield worker
    await worker.shutdown()
    await asyncio.gather(task, return_exceptions=True)
    set_client(None)


# -- tenants and people ------------------------------------------------------------------


@dataclass
class Org:
    """A tenant with a department tree and one staff member per role.

    HQ > Sales > Sales East; HQ > Service. The manager heads Sales; `staff` works in
    Sales East, `staff2` in Sales, `outsider` in Service.
    """

    tenant: Tenant
    departments: dict[str, int] = field(default_factory=dict)
    people: dict[str, Staff] = field(default_factory=dict)

    def token(self, who: str) -> str:
        staff = self.people[who]
        return issue_access_token(staff.tenant_id, staff.id)[0]


async def make_org(slug: str | None = None, probe_rows: bool = False) -> Org:
    """A tenant per `Org`'s docstring; `probe_rows` adds a customer, tag, stage
    template, pool and leads (the shared org_a/org_b have them, for the cross-tenant
    probe)."""
    slug = slug or unique("t")
    tenant, admin = await create_tenant(
        slug, f"Tenant {slug}", "Alice Admin", "admin@x.test", PASSWORD
    )
    org = Org(tenant=tenant, people={"admin": admin})
    actor = await actor_for_staff(admin)
    hq = await create_department(actor, "HQ", None)
    sales = await create_department(actor, "Sales", hq.id)
    east = await create_department(actor, "Sales East", sales.id)
    service = await create_department(actor, "Service", hq.id)
    org.departments = {"hq": hq.id, "sales": sales.id, "east": east.id, "service": service.id}
    await Staff.filter(id=admin.id).update(department_id=hq.id)
    people = [
        ("manager", "Mona Manager", Role.MANAGER, sales.id),
        ("staff", "Stan Staff", Role.STAFF, east.id),
        ("staff2", "Stella Staff", Role.STAFF, sales.id),
        ("outsider", "Otto Service", Role.STAFF, service.id),
        ("inspector", "Ina Inspector", Role.INSPECTOR, hq.id),
        ("agent", "Aga Agent", Role.AGENT, service.id),
    ]
    for key, name, role, dept in people:
        org.people[key] = await create_staff(
            actor,
            StaffChanges(
                name=name,
                email=f"{key}@x.test",
                password=PASSWORD,
                roles=[role],
                department_id=dept,
            ),
        )
    org.people["admin"] = await Staff.get(id=admin.id)
    # Rows of every Node type that the admin may see, for the cross-tenant probe.
    await notify(tenant.id, admin.id, kind="probe", title="Hello", body="", dedup_key="probe")
    await create_api_key(actor, "probe key", ["org:read"])
    endpoint, _ = await create_endpoint(
        actor, url="http://127.0.0.1:9/probe", event_types=["staff.*"], enabled=False
    )
    first_staff_event = await Event.filter(tenant_id=tenant.id, type="staff.created").first()
    await replay_event(actor, endpoint.id, first_staff_event.id)  # a WebhookDelivery row
    if probe_rows:
        await _customer_rows(actor)
        await _lead_rows(actor, org)
    return org


async def _customer_rows(actor: Any) -> None:
    """A customer with a tag and a stage, and a finished schema migration."""
    from api.customers.service import lifecycle, records, tags
    from api.metadata.models import SchemaMigration

    group = await tags.create_tag_group(actor, "Probe tags", "customer", [], ["probe"])
    template = await lifecycle.save_template(
        actor,
        None,
        "Probe stages",
        {"stages": [{"key": "new", "label": "New", "order": 0}]},
        [],
        True,
    )
    customer = await records.create_customer(actor, records.CustomerChanges(name="Probe"))
    tag = await group_tag(group.id)
    await tags.tag_customers(actor, [customer.id], [tag], True)
    await lifecycle.move_stage(actor, customer.id, template.id, "new")
    await SchemaMigration.create(
        tenant_id=actor.tenant_id,
        kind="customer_fields",
        from_version=0,
        to_version=1,
        plan={},
        status="done",
    )


async def _lead_rows(actor: Any, org: Org) -> None:
    """A pool bound to Sales with a waiting lead and a lead held by the admin."""
    from api.leads.service import pools, records

    pool = await pools.create_pool(
        actor, pools.PoolChanges(name="Probe pool", department_ids=[org.departments["sales"]])
    )
    await records.create_lead(actor, records.LeadChanges(name="Waiting", pool_id=pool.id))
    await records.create_lead(actor, records.LeadChanges(name="Held"))


async def group_tag(group_id: int) -> int:
    from api.customers.models import Tag

    return (await Tag.filter(group_id=group_id).first()).id


@pytest.fixture(scope="session")
async def org_a(db: str, temporal_worker: Any) -> Org:
    return await make_org("tenant-a", probe_rows=True)


@pytest.fixture(scope="session")
async def org_b(db: str, temporal_worker: Any) -> Org:
    return await make_org("tenant-b", probe_rows=True)


# -- GraphQL clients ---------------------------------------------------------------------


class GQL:
    """A GraphQL client over the ASGI app, optionally with a bearer credential."""

    def __init__(self, http: httpx.AsyncClient, credential: str | None = None) -> None:
        self.http = http
        self.credential = credential

    def as_(self, credential: str | None) -> GQL:
        return GQL(self.http, credential)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.credential}"} if self.credential else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        return response.json()

    async def ok(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        result = await self(query, variables)
        assert not result.get("errors"), result["errors"]
        return result["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        result = await self(query, variables)
        assert result.get("errors"), f"expected an error, got {result}"
        return result["errors"][0]


@pytest.fixture(scope="session")
def app(db: str) -> Any:
    return create_app(db)


@pytest.fixture
async def gql(app: Any) -> AsyncIterator[GQL]:
    """An anonymous client; `gql.as_(token)` for a signed-in one. Each test gets its own
    client address, so login throttling by address does not leak between tests."""
    address = f"10.{next(_counter) % 250}.{uuid.uuid4().int % 250}.{next(_counter) % 250}"
    transport = httpx.ASGITransport(app=app, client=(address, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GQL(http)


@pytest.fixture(scope="session")
async def live_server(app: Any) -> AsyncIterator[str]:
    """The real app behind a real uvicorn on a free port (the session's database)."""
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def demo_admin(db: str, temporal_worker: Any) -> dict[str, str]:
    """The demo tenant of `scrm demo`, seeded into the test database; its admin's login."""
    from api.org.service.tenants import DEMO_LOGINS, seed_demo

    await seed_demo()
    admin = DEMO_LOGINS[0]
    return {
        "tenant": admin.tenant,
        "email": admin.email,
        "password": admin.password,
        "name": admin.name,
    }


class QueryCounter(logging.Handler):
    """Counts SQL statements tortoise sends (its db client logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@pytest.fixture
def count_queries() -> Any:
    """`with count_queries() as counter: ...; len(counter.statements)`."""
    import contextlib

    @contextlib.contextmanager
    def counting() -> Any:
        log = logging.getLogger("tortoise.db_client")
        counter = QueryCounter()
        old_level = log.level
        log.setLevel(logging.DEBUG)
        log.addHandler(counter)
        try:
            yield counter
        finally:
            log.removeHandler(counter)
            log.setLevel(old_level)

    return counting
