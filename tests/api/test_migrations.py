"""Models and migrations cannot drift: generating a migration from the models yields
nothing new (run `scrm makemigrations` after changing a model)."""

from __future__ import annotations

from api.cli import pending_model_changes


async def test_models_and_migrations_are_in_sync() -> None:
    assert await pending_model_changes() == []
