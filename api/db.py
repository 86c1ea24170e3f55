"""Database access rules: the tortoise config, the tenant/data-scope choke point, and
transactions with after-commit hooks.

Every read and write of tenant data goes through `scoped()` (or `tenant_scoped()` for
related rows already reached through a scoped row). A model says how it is scoped with a
`scope = ScopeRule(...)` class attribute; a model without one cannot be queried here.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from api.auth import Actor, DataScope
from api.errors import NotFound

M = TypeVar("M", bound=Model)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScopeRule:
    """How rows of a model are scoped: by tenant, then by owner and/or department.

    `owner` names the column holding the owning staff id, `department` the column
    holding the department the row belongs to; `shared_via` = (model, row column, staff
    column) names a table of other staff the row is shared with (e.g. followers).
    `reach(actor)` adds rows reached by another rule (pool membership).
    A staff-scoped actor sees rows it owns or that are shared with it (or, when the model
    has no owner, rows of its own department); a manager also sees rows of its department
    subtree (by the department column, else by the owner's department); admins,
    inspectors and API keys see the tenant. A `personal` model (notifications) is only
    ever its owner's. A rule with neither owner nor department marks reference data
    (tag groups, templates, definitions) that everyone in the tenant reads.
    """

    tenant: str = "tenant_id"
    owner: str | None = None
    department: str | None = None
    personal: bool = False
    shared_via: tuple[str, str, str] | None = None
    # Rows the actor reaches by another rule, e.g. unclaimed leads in the pools of its
    # departments; OR-ed into every scope narrower than the tenant.
    reach: Callable[[Actor], Q] | None = None


def _rule(model: type[Model]) -> ScopeRule:
    rule = getattr(model, "scope", None)
    if not isinstance(rule, ScopeRule):
        raise TypeError(f"{model.__name__} declares no ScopeRule; it cannot be queried")
    return rule


def tenant_scoped(actor: Actor, model: type[M]) -> QuerySet[M]:
    """Rows of the actor's tenant, without data scope (for rows reached via a scoped row)."""
    return model.filter(**{_rule(model).tenant: actor.tenant_id})


def scoped(actor: Actor, model: type[M]) -> QuerySet[M]:
    """Rows of `model` the actor may see: the one place tenancy and data scope apply."""
    rule = _rule(model)
    qs = tenant_scoped(actor, model)
    if rule.personal:
        return (
            qs.filter(**{rule.owner or "id": actor.staff_id})
            if actor.staff_id
            else qs.filter(id__in=[])
        )
    scope = actor.data_scope
    if scope is DataScope.TENANT or (
        rule.owner is None and rule.department is None and rule.reach is None
    ):
        return qs  # reference data (templates, tag groups...) is the whole tenant's
    reach = _own_rows(actor, rule)
    if rule.reach is not None:
        extra = rule.reach(actor)
        reach = extra if reach is None else reach | extra
    if scope is DataScope.DEPARTMENT:
        if rule.department:
            dept = Q(**{f"{rule.department}__in": list(actor.department_ids)})
        elif rule.owner:
            from api.org.models import Staff  # the org domain owns staff

            members = Staff.filter(
                tenant_id=actor.tenant_id, department_id__in=list(actor.department_ids)
            ).values("id")
            dept = Q(**{f"{rule.owner}__in": Subquery(members)})
        else:
            dept = None
        reach = dept if reach is None else reach if dept is None else reach | dept
    if reach is not None:
        return qs.filter(reach)
    if rule.department and actor.department_id is not None:
        return qs.filter(**{rule.department: actor.department_id})
    return qs.filter(id__in=[])


def _own_rows(actor: Actor, rule: ScopeRule) -> Q | None:
    """Rows the actor owns or that are shared with it."""
    if actor.staff_id is None or rule.owner is None:
        return None
    own = Q(**{rule.owner: actor.staff_id})
    if rule.shared_via:
        model_name, row_column, staff_column = rule.shared_via
        app, name = model_name.split(".")
        rows = Tortoise.apps[app][name].filter(**{staff_column: actor.staff_id}).values(row_column)
        own |= Q(id__in=Subquery(rows))
    return own


async def get_scoped(actor: Actor, model: type[M], pk: int, *, for_update: bool = False) -> M:
    """The row `pk` if the actor may see it; NOT_FOUND otherwise (never FORBIDDEN: a
    caller must not learn that a row it may not see exists)."""
    qs = scoped(actor, model).filter(id=pk)
    if for_update:
        qs = qs.select_for_update()
    row = await qs.first()
    if row is None:
        raise NotFound(f"No {model.__name__} with this id")
    return row


# -- transactions ------------------------------------------------------------------------

Hook = Callable[[], Awaitable[None]]
BatchRunner = Callable[[list[Any]], Awaitable[None]]


@dataclass
class _Hooks:
    """Callbacks of the outermost open `atomic()` block."""

    before: list[Hook] = field(default_factory=list)
    after: list[Hook] = field(default_factory=list)
    # (runner, item): after the commit each runner gets its items in one call
    batched: list[tuple[BatchRunner, Any]] = field(default_factory=list)


_hooks: contextvars.ContextVar[_Hooks | None] = contextvars.ContextVar(
    "transaction_hooks", default=None
)


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """A transaction; callbacks registered with `after_commit` run once it commits.

    Nested `atomic()` blocks join the outer one (savepoints in tortoise) and defer their
    callbacks to the outermost commit; a nested block that fails drops the callbacks it
    registered, as its savepoint drops its rows. `before_commit` callbacks run inside the
    transaction, last, just before COMMIT (the outbox allocates event ids there).
    """
    hooks = _hooks.get()
    outer = hooks is None
    if hooks is None:
        hooks = _Hooks()
    token = _hooks.set(hooks) if outer else None
    marks = (len(hooks.before), len(hooks.after), len(hooks.batched))
    try:
        async with in_transaction():
            try:
                yield
            except BaseException:
                del hooks.before[marks[0] :]
                del hooks.after[marks[1] :]
                del hooks.batched[marks[2] :]
                raise
            if outer:
                i = 0
                while i < len(hooks.before):  # a hook may register more hooks
                    await hooks.before[i]()
                    i += 1
    finally:
        if token is not None:
            _hooks.reset(token)
    if not outer:
        return
    for callback in hooks.after:
        try:
            await callback()
        except Exception:
            # The change is committed; a failing side effect must not report it as failed.
            log.exception("after-commit callback %r failed", callback)
    batches: dict[BatchRunner, list[Any]] = {}
    for runner, item in hooks.batched:
        batches.setdefault(runner, []).append(item)
    for runner, items in batches.items():
        try:
            await runner(items)
        except Exception:
            log.exception("after-commit batch %r failed", runner)


def in_atomic() -> bool:
    """Whether an `atomic()` block is open in this task."""
    return _hooks.get() is not None


def after_commit(callback: Hook) -> None:
    """Run `callback` after the surrounding `atomic()` commits (at once outside one)."""
    hooks = _hooks.get()
    if hooks is None:
        raise RuntimeError("after_commit() outside atomic(); start workflows after a commit")
    hooks.after.append(callback)


def after_commit_batch(runner: BatchRunner, item: Any) -> None:
    """After the surrounding `atomic()` commits, call `runner` once with every item given
    to it in the transaction (e.g. to start many workflows concurrently). Items of a
    nested block that fails are dropped with it."""
    hooks = _hooks.get()
    if hooks is None:
        raise RuntimeError("after_commit_batch() outside atomic()")
    hooks.batched.append((runner, item))


def before_commit(callback: Hook) -> None:
    """Run `callback` inside the surrounding `atomic()` transaction, just before COMMIT."""
    hooks = _hooks.get()
    if hooks is None:
        raise RuntimeError("before_commit() outside atomic()")
    hooks.before.append(callback)
