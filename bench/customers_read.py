"""GraphQL `customers(first: 50)` (20 custom fields, 3 tags, owner) against the same JSON
served by a hand-written raw-SQL + orjson Starlette endpoint, in one process.

Usage: python -m bench.customers_read [--customers N] [--seconds S]
Last line: requests/s of both and the ratio GraphQL / raw.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import connections

from bench.common import bench_database, tenant_with_fields, values_for

QUERY = """{ customers(first: 50) { edges { node { id name fields owner { name }
  tags { name } } } } }"""


async def seed(n: int) -> tuple[int, str]:
    from api.auth import issue_access_token
    from api.customers.models import Customer, CustomerTag, Tag, TagGroup
    from api.metadata.models import UniqueValue

    tenant, actor = await tenant_with_fields()
    group = await TagGroup.create(tenant=tenant, name="Bench")
    tags = [await Tag.create(tenant=tenant, group=group, name=f"tag{i}", order=i) for i in range(6)]
    customers = [
        Customer(
            tenant=tenant,
            name=f"Customer {i}",
            owner_id=actor.staff_id,
            fields=values_for(i),
            schema_version=1,
        )
        for i in range(n)
    ]
    await Customer.bulk_create(customers, batch_size=1000)
    ids = await Customer.filter(tenant=tenant).values_list("id", flat=True)
    links = [
        CustomerTag(tenant=tenant, customer_id=c, tag_id=tags[(c + k) % 6].id)
        for c in ids
        for k in range(3)
    ]
    await CustomerTag.bulk_create(links, batch_size=1000)
    await UniqueValue.bulk_create(
        [
            UniqueValue(
                tenant=tenant, entity="customer", field_key="f00", value=f"v{c}", record_id=c
            )
            for c in ids
        ],
        batch_size=1000,
    )
    return tenant.id, issue_access_token(tenant.id, actor.staff_id)[0]


def raw_app(tenant_id: int) -> Starlette:
    from api.relay import encode_id

    async def page(request: Request) -> Response:
        db = connections.get("default")
        rows = await db.execute_query_dict(
            'SELECT c.id, c.name, c.fields, s.name AS owner FROM "customer" c '
            'LEFT JOIN "staff" s ON s.id = c.owner_id WHERE c.tenant_id = $1 '
            "AND c.merged_into_id IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT 50"
            if db.capabilities.dialect == "postgres"
            else 'SELECT c.id, c.name, c.fields, s.name AS owner FROM "customer" c '
            'LEFT JOIN "staff" s ON s.id = c.owner_id WHERE c.tenant_id = ? '
            "AND c.merged_into_id IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT 50",
            [tenant_id],
        )
        ids = [r["id"] for r in rows]
        marks = ", ".join(
            f"${i + 1}" if db.capabilities.dialect == "postgres" else "?" for i in range(len(ids))
        )
        tag_rows = (
            await db.execute_query_dict(
                f'SELECT ct.customer_id, t.name FROM "customer_tag" ct JOIN "tag" t ON t.id = '
                f'ct.tag_id WHERE ct.customer_id IN ({marks}) ORDER BY t.group_id, t."order", t.id',
                ids,
            )
            if ids
            else []
        )
        tags: dict[int, list[dict]] = {}
        for t in tag_rows:
            tags.setdefault(t["customer_id"], []).append({"name": t["name"]})
        edges = [
            {
                "node": {
                    "id": encode_id("Customer", r["id"]),
                    "name": r["name"],
                    "fields": orjson.loads(r["fields"])
                    if isinstance(r["fields"], str | bytes)
                    else r["fields"],
                    "owner": {"name": r["owner"]},
                    "tags": tags.get(r["id"], []),
                }
            }
            for r in rows
        ]
        return Response(
            orjson.dumps({"data": {"customers": {"edges": edges}}}), media_type="application/json"
        )

    return Starlette(routes=[Route("/raw", page)])


async def measure(client: httpx.AsyncClient, call, seconds: float) -> float:
    await call(client)  # warm up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        await call(client)
        count += 1
    return count / (time.perf_counter() - start)


async def main(n: int, seconds: float) -> str:
    async with bench_database():
        from api.app import create_app

        tenant_id, token = await seed(n)
        headers = {"Authorization": f"Bearer {token}"}
        app, raw = create_app(), raw_app(tenant_id)

        async def graphql_call(client: httpx.AsyncClient) -> None:
            r = await client.post("/graphql", json={"query": QUERY}, headers=headers)
            assert r.status_code == 200 and "errors" not in r.json(), r.text

        async def raw_call(client: httpx.AsyncClient) -> None:
            r = await client.get("/raw")
            assert r.status_code == 200

        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as c1,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=raw), base_url="http://b") as c2,
        ):
            g = (await c1.post("/graphql", json={"query": QUERY}, headers=headers)).json()
            r = (await c2.get("/raw")).json()
            assert g == r, "GraphQL and raw answers differ"
            # Interleaved rounds, best of each: a busy machine slows both alike.
            gql_rounds, raw_rounds = [], []
            for _ in range(3):
                gql_rounds.append(await measure(c1, graphql_call, seconds / 3))
                raw_rounds.append(await measure(c2, raw_call, seconds / 3))
            gql_rps, raw_rps = max(gql_rounds), max(raw_rounds)
    return (
        f"customers={n} graphql={gql_rps:.1f} req/s raw={raw_rps:.1f} req/s "
        f"ratio graphql/raw={gql_rps / raw_rps:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(asyncio.run(main(args.customers, args.seconds)), flush=True)
    os._exit(0)
