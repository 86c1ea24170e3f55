"""Shared set-up for the benchmarks: a fresh database (SQLite file in a temp dir, or a
fresh database beside DATABASE_URL on PostgreSQL), migrated, with one tenant whose
customer fields have 20 custom fields published."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.migrations.api import migrate

import settings

FIELD_TYPES = ["text", "number", "single_select", "date", "boolean"]


def twenty_fields() -> dict[str, Any]:
    fields = []
    for i in range(20):
        kind = FIELD_TYPES[i % len(FIELD_TYPES)]
        field: dict[str, Any] = {"key": f"f{i:02}", "label": f"Field {i}", "type": kind}
        if kind == "single_select":
            field["rules"] = {"options": [{"value": v, "label": v} for v in "ABCDE"]}
        if kind == "number":
            field["rules"] = {"min": 0, "max": 1_000_000}
        if kind == "text":
            field["rules"] = {"max_length": 100}
        fields.append(field)
    fields[0]["unique"] = True
    return {"sections": [], "fields": fields}


def values_for(n: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for i in range(20):
        kind = FIELD_TYPES[i % len(FIELD_TYPES)]
        values[f"f{i:02}"] = {
            "text": f"value {n}-{i}",
            "number": (n * 7 + i) % 1000,
            "single_select": "ABCDE"[(n + i) % 5],
            "date": f"2026-{1 + (n + i) % 12:02}-{1 + (n + i) % 28:02}",
            "boolean": (n + i) % 2 == 0,
        }[kind]
    return values


@asynccontextmanager
async def bench_database():
    """A migrated database for one benchmark run, removed afterwards."""
    base = settings.DATABASE_URL
    admin_dsn = None
    if base.startswith(("postgres://", "postgresql://")):
        import asyncpg

        parts = urlsplit(base)
        name = f"scrm_bench_{uuid.uuid4().hex[:8]}"
        admin_dsn = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
        conn = await asyncpg.connect(admin_dsn)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    else:
        tmp = tempfile.mkdtemp(prefix="scrm-bench-")
        url = f"sqlite://{os.path.join(tmp, 'bench.sqlite3')}"
    config = settings.tortoise_config(url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    try:
        yield url
    finally:
        await Tortoise.close_connections()
        if admin_dsn:
            import asyncpg

            conn = await asyncpg.connect(admin_dsn)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()


async def tenant_with_fields(slug: str = "bench"):
    """(tenant, admin actor) with the 20 fields published."""
    from api.metadata.service import publish, save_draft
    from api.org.service.actors import actor_for_staff
    from api.org.service.tenants import create_tenant

    tenant, admin = await create_tenant(slug, "Bench Co", "Bench Admin", "b@x.test", "x" * 12)
    actor = await actor_for_staff(admin)
    await save_draft(actor, "customer_fields", twenty_fields())
    await publish(actor, "customer_fields", None)
    return tenant, actor


def rate(fn_count: int, seconds: float) -> float:
    return fn_count / seconds if seconds else 0.0


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
