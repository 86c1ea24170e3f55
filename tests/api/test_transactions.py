"""`atomic()` hooks: after-commit callbacks and batches run once after the outermost
commit, and a nested block that fails drops what it registered."""

from __future__ import annotations

import pytest

from api.db import after_commit, after_commit_batch, atomic


async def test_batches_run_once_after_commit_without_failed_nested_items() -> None:
    calls: list[list[str]] = []
    seen: list[str] = []

    async def runner(items: list[str]) -> None:
        calls.append(items)

    async def note() -> None:
        seen.append("after")

    async with atomic():
        after_commit_batch(runner, "a")
        after_commit(note)
        with pytest.raises(RuntimeError):
            async with atomic():
                after_commit_batch(runner, "lost")
                after_commit(note)
                raise RuntimeError("the savepoint rolls back")
        async with atomic():
            after_commit_batch(runner, "b")
        assert calls == []  # nothing before the commit
    assert calls == [["a", "b"]]
    assert seen == ["after"]


async def test_a_failed_transaction_runs_nothing() -> None:
    calls: list[list[str]] = []

    async def runner(items: list[str]) -> None:
        calls.append(items)

    with pytest.raises(ValueError):
        async with atomic():
            after_commit_batch(runner, "x")
            raise ValueError("rolled back")
    assert calls == []
    with pytest.raises(RuntimeError):
        after_commit_batch(runner, "outside")
