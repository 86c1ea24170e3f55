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
from dataclasses import dataclass
from typing import TypeVar

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
    A staff-scoped actor sees rows it owns or that are shared with it (or, when the model
    has no owner, rows of its own department); a manager also sees rows of its department
    subtree (by the department column, else by the owner's department); admins,
    inspectors and API keys see the tenant. A `personal` model (notifications) is only
    ever its owner's.
    """

    tenant: str = "tenant_id"
    owner: str | None = None
    department: str | None = None
    personal: bool = False
    shared_via: tuple[str, str, str] | None = None


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
    if scope is DataScope.TENANT:
        return qs
    reach = _own_rows(actor, rule)
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

_after_commit: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = (
    contextvars.ContextVar("after_commit", default=None)
)


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """A transaction; callbacks registered with `after_commit` run once it commits.

    Nested `atomic()` blocks join the outer one (savepoints in tortoise) and defer their
    callbacks to the outermost commit.
    """
    outer = _after_commit.get() is None
    token = _after_commit.set([]) if outer else None
    try:
        async with in_transaction():
            yield
        callbacks = (_after_commit.get() or []) if outer else []
    finally:
        if token is not None:
            _after_commit.reset(token)
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            # The change is committed; a failing side effect must not report it as failed.
            log.exception("after-commit callback %r failed", callback)


def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` after the surrounding `atomic()` commits (at once outside one)."""
    pending = _after_commit.get()
    if pending is None:
        raise RuntimeError("after_commit() outside atomic(); start workflows after a commit")
    pending.append(callback)
