"""Equality filter on a custom field (JSON column, GIN-indexed on PostgreSQL) against the
same filter on a plain indexed column, through the same filter compiler and queryset.

Usage: python -m bench.custom_filter [--customers N] [--repeat R]
(default N: 1,000,000 on PostgreSQL, 100,000 on SQLite). Last line: latency ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from bench.common import bench_database, tenant_with_fields, values_for


async def main(n: int | None, repeat: int) -> str:
    async with bench_database() as url:
        from api.customers.models import Customer
        from api.filters import Condition, FieldFilterCompiler
        from api.metadata.service import current_fields

        n = n or (1_000_000 if url.startswith("postgres") else 100_000)
        tenant, actor = await tenant_with_fields()
        batch = 10_000
        for start in range(0, n, batch):
            await Customer.bulk_create(
                [
                    Customer(
                        tenant=tenant,
                        name=f"Customer {i}",
                        owner_id=actor.staff_id,
                        fields=values_for(i),
                        schema_version=1,
                    )
                    for i in range(start, min(n, start + batch))
                ],
                batch_size=2000,
            )
        from tortoise import connections

        if connections.get("default").capabilities.dialect == "postgres":
            await connections.get("default").execute_script('ANALYZE "customer"')
        _, compiled = await current_fields(tenant.id, "customer_fields")

        async def custom(i: int) -> list:
            compiler = FieldFilterCompiler(compiled.filterable)
            compiler.compiled.q = compiler.condition(
                Condition("f00", "eq", f"value {i}-0"), ("where",)
            )
            return await compiler.compiled.apply(Customer.filter(tenant_id=tenant.id)).limit(50)

        async def plain(i: int) -> list:
            return await Customer.filter(tenant_id=tenant.id, name=f"Customer {i}").limit(50)

        async def timed(fn) -> float:
            samples = []
            for k in range(repeat):
                i = (k * 7919) % n
                t = time.perf_counter()
                rows = await fn(i)
                samples.append(time.perf_counter() - t)
                assert len(rows) == 1 and rows[0].name == f"Customer {i}"
            return statistics.median(samples)

        await timed(custom)
        await timed(plain)
        c, p = await timed(custom), await timed(plain)
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    return (
        f"{backend} customers={n} custom-field eq p50={c * 1000:.2f} ms, indexed column eq "
        f"p50={p * 1000:.2f} ms, ratio custom/plain={c / p:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(asyncio.run(main(args.customers, args.repeat)), flush=True)
    os._exit(0)
