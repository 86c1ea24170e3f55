"""Models and migrations cannot drift: generating a migration from the models yields
nothing new (run `scrm makemigrations` after changing a model)."""

from __future__ import annotations

import asyncio
import sys


async def test_models_and_migrations_are_in_sync() -> None:
    # In a child process: initialising tortoise for another database in this process
    # would rebind the models the rest of the session uses.
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.cli",
        "makemigrations",
        "--check",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await proc.communicate()
    assert proc.returncode == 0, output.decode()


def test_table_descriptions_survive_the_sqlite_schema_editor() -> None:
    """The first docstring line of a model becomes its table comment, and tortoise's
    SQLite schema editor splits scripts on ";": a semicolon there breaks migrations."""
    from tortoise import Tortoise

    bad = [
        name
        for name, model in Tortoise.apps["scrm"].items()
        if ";" in (model._meta.table_description or "")
    ]
    assert bad == []
