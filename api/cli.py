"""The `scrm` command: up, serve, worker, migrate, makemigrations, demo, schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console

import settings

console = Console(stderr=True)


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[None]:
    """Tortoise opened for a command (not the API: its lifespan opens its own)."""
    from tortoise import Tortoise

    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def migrate() -> None:
    from tortoise.migrations.api import migrate as run_migrations

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    await run_migrations(config=settings.tortoise_config())
    from tortoise import Tortoise

    await Tortoise.close_connections()


async def pending_model_changes() -> list[str]:
    """Migrations `makemigrations` would write now (none when models and migrations agree)."""
    from tortoise.context import TortoiseContext
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = settings.tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    return [f"{w.app_label}.{w.name}" for w in writers]


async def demo() -> None:
    from api.org.service.tenants import DEMO_LOGINS, seed_demo

    async with database():
        created = await seed_demo()
    console.print("[green]Demo tenant created.[/green]" if created else "Demo tenant exists.")
    console.print("Sign in with tenant [bold]demo[/bold] and one of:")
    for login in DEMO_LOGINS:
        console.print(f"  {login.role:8} {login.email}  password: {login.password}")


async def worker() -> None:
    # The domains register entities, event types and merge steps when imported; the
    # worker's activities need the same registry as the API.
    import api.schema  # noqa: F401
    from workflows.worker import run_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with database():
        await run_worker(stop)


def serve() -> None:
    import uvicorn

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.HOST,
        port=settings.PORT,
        log_level="info",
        ws="websockets-sansio",
    )


async def up() -> None:
    """Migrate, seed the demo, then run Temporal (embedded unless TEMPORAL_ADDRESS is set),
    the worker and the API until Ctrl-C, and stop them all."""
    from workflows.devserver import EmbeddedTemporal, embedded_temporal_needed

    await migrate()
    async with contextlib.AsyncExitStack() as stack:
        if embedded_temporal_needed():
            console.print(f"Starting Temporal dev server on {settings.temporal_target()} ...")
            await stack.enter_async_context(EmbeddedTemporal())
        await demo()
        children = [
            await asyncio.create_subprocess_exec(sys.executable, "-m", "api.cli", "worker"),
            await asyncio.create_subprocess_exec(sys.executable, "-m", "api.cli", "serve"),
        ]
        url = f"http://{settings.HOST}:{settings.PORT}"
        console.print(
            f"\n[bold green]SCRM is up.[/bold green] GraphiQL: {url}/graphql   "
            f"Designer: {url}/designer   Health: {url}/healthz\nCtrl-C stops everything."
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        waiters = [asyncio.ensure_future(c.wait()) for c in children]
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait([stopper, *waiters], return_when=asyncio.FIRST_COMPLETED)
        for child in children:
            if child.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                await asyncio.wait_for(child.wait(), 15)
            except TimeoutError:
                child.kill()
        stopper.cancel()
        console.print("Stopping ...")
    console.print("Stopped.")


def print_schema(path: str | None) -> None:
    from api.schema import schema

    sdl = schema.as_str() + "\n"
    if path:
        Path(path).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scrm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="migrate, seed demo, run Temporal + worker + API")
    commands.add_parser("serve", help="run the API (uvicorn)")
    commands.add_parser("worker", help="run the Temporal worker")
    commands.add_parser("migrate", help="apply database migrations")
    makemigrations = commands.add_parser(
        "makemigrations", help="write a migration for model changes"
    )
    makemigrations.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a migration is due"
    )
    commands.add_parser("demo", help="seed the demo tenant and print its logins")
    schema_cmd = commands.add_parser("schema", help="print the GraphQL SDL")
    schema_cmd.add_argument("-o", "--output", help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    code = 0
    if args.command == "serve":
        serve()
    elif args.command == "schema":
        print_schema(args.output)
    elif args.command == "makemigrations" and args.check:
        pending = asyncio.run(pending_model_changes())
        for name in pending:
            print(f"model changes without a migration: {name}")
        code = 1 if pending else 0
    elif args.command == "makemigrations":
        from tortoise.cli.cli import main as tortoise_main

        sys.argv = ["tortoise", "-c", "settings.TORTOISE_ORM", "makemigrations"]
        tortoise_main()
    else:
        runner = {"up": up, "worker": worker, "migrate": migrate, "demo": demo}[args.command]
        try:
            asyncio.run(runner())
        except KeyboardInterrupt:
            code = 130
    sys.stdout.flush()
    # Temporal's core can abort at interpreter exit after a dev server ran (sdk-python
    # issue 300); leave without running the interpreter's teardown.
    os._exit(code)


if __name__ == "__main__":
    main()
