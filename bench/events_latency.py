"""Event delivery latency: a real API process (uvicorn, its own database) takes
`createDepartment` mutations at a steady rate while a websocket subscriber streams the
`department.created` events.

Latency is measured from the event's commit time (`createdAt`, same machine clock) to
its arrival at the subscriber; `lost` counts committed mutations whose event never
arrived. Usage: `python -m bench.events_latency [--seconds 30] [--rate 100]
[--database-url postgres://...]` (default: a fresh SQLite file). The last line is the
result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
SUBSCRIPTION = """subscription { events(types: ["department.created"]) { payload createdAt } }"""
MUTATION = "mutation($n: String!) { createDepartment(input: {name: $n}) { department { id } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _run(*args: str, env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, env=env, cwd=ROOT)
    if await proc.wait() != 0:
        raise SystemExit(f"{' '.join(args)} failed")


SEED = """
import asyncio, sys
from tortoise import Tortoise
import settings
from api.org.service.tenants import create_tenant
async def main():
    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    await create_tenant(sys.argv[1], "Bench", "Bench Admin", "admin@bench.example", sys.argv[2])
    await Tortoise.close_connections()
asyncio.run(main())
"""


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def bench(seconds: float, rate: float, database_url: str | None) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="scrm-bench-"))
    url = database_url or f"sqlite://{workdir / 'bench.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(workdir), "PYTHONPATH": str(ROOT)}
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    await _run("-m", "api.cli", "migrate", env=env)
    await _run("-c", SEED, slug, PASSWORD, env=env)
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--ws",
        "websockets-sansio",
        "--log-level",
        "warning",
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(300):
                try:
                    await http.get("/healthz")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            login = await http.post(
                "/graphql",
                json={
                    "query": "mutation($t: String!, $p: String!) { login(input: {tenant: $t, "
                    'email: "admin@bench.example", password: $p}) { accessToken } }',
                    "variables": {"t": slug, "p": PASSWORD},
                },
            )
            token = login.json()["data"]["login"]["accessToken"]
            return await _measure(http, base, token, seconds, rate)
    finally:
        server.terminate()
        await server.wait()


async def _measure(
    http: httpx.AsyncClient, base: str, token: str, seconds: float, rate: float
) -> str:
    ws = await websockets.connect(
        base.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    await asyncio.sleep(0.5)
    latencies: dict[str, float] = {}
    duplicates = 0

    async def receive() -> None:
        nonlocal duplicates
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") != "next":
                continue
            arrived = time.time()
            event = message["payload"]["data"]["events"]
            name = event["payload"]["name"]
            committed = datetime.fromisoformat(event["createdAt"]).timestamp()
            if name in latencies:
                duplicates += 1
            latencies[name] = (arrived - committed) * 1000

    receiver = asyncio.create_task(receive())
    headers = {"Authorization": f"Bearer {token}"}
    committed: set[str] = set()
    round_trips: list[float] = []

    async def mutate(name: str) -> None:
        started = time.perf_counter()
        response = await http.post(
            "/graphql", json={"query": MUTATION, "variables": {"n": name}}, headers=headers
        )
        body = response.json()
        if not body.get("errors"):
            committed.add(name)
            round_trips.append((time.perf_counter() - started) * 1000)

    loop = asyncio.get_running_loop()
    start = loop.time()
    total = int(seconds * rate)
    tasks = []
    for i in range(total):
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        tasks.append(asyncio.create_task(mutate(f"bench-{i}")))
    await asyncio.gather(*tasks)
    sent_for = loop.time() - start
    deadline = loop.time() + 10
    while loop.time() < deadline and not committed <= set(latencies):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    receiver.cancel()
    await asyncio.gather(receiver, return_exceptions=True)
    await ws.close()
    received = [latencies[n] for n in committed if n in latencies]
    lost = len(committed - set(latencies))
    return (
        f"events_latency: rate={rate:g}/s seconds={seconds:g} (sent in {sent_for:.1f} s) "
        f"mutations={len(committed)}/{total} mutation_p50={_percentile(round_trips, 0.5):.1f}ms "
        f"received={len(received)} duplicates={duplicates} "
        f"p50={_percentile(received, 0.5):.1f}ms p99={_percentile(received, 0.99):.1f}ms "
        f"lost={lost}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=100.0, help="mutations per second")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    print(asyncio.run(bench(args.seconds, args.rate, args.database_url)), flush=True)


if __name__ == "__main__":
    main()
