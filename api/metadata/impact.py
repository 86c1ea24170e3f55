"""What a definition change would do to existing records: counts and sample ids per
change, measured in SQL through the filter compiler (duplicates of a newly unique field
are found by normalising that one column)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tortoise.expressions import Q

from api.filters import Condition, FieldFilterCompiler
from api.metadata.service import ENTITIES, Impact
from api.relay import encode_id
from schemas.compiler import compile_fields
from schemas.diff import diff
from schemas.errors import Issue
from schemas.migration import check_migration, uncovered

SAMPLE_SIZE = 5


async def measure(tenant_id: int, kind: str, old_doc: dict, new_doc: dict) -> list[Impact]:
    changes = diff(old_doc, new_doc)
    impacts = [Impact(c.key, c.kind, c.severity, dict(c.detail)) for c in changes]
    registration = ENTITIES.get(kind)
    if registration is None:
        return impacts
    old, new = compile_fields(old_doc), compile_fields(new_doc)
    base = _records(tenant_id, kind)
    for impact in impacts:
        if impact.severity == "safe" or impact.key not in old.fields:
            continue
        if impact.severity == "breaking_if_duplicates":
            ids = await _duplicates(base, new, impact.key)
        elif impact.kind == "rules_tightened":
            ids = await _violators(base, old, new, impact.key)
        else:
            compiler = FieldFilterCompiler(old.filterable)
            q = _affected(compiler, impact, old.filterable[impact.key])
            compiled = compiler.compiled
            compiled.q = q
            qs = compiled.apply(base)
            impact.affected = await qs.count()
            ids = await qs.order_by("id").limit(SAMPLE_SIZE).values_list("id", flat=True)
            impact.sample_ids = [encode_id(registration.type_name, i) for i in ids]
            continue
        impact.affected = len(ids)
        impact.sample_ids = [encode_id(registration.type_name, i) for i in ids[:SAMPLE_SIZE]]
    return impacts


def _affected(compiler: FieldFilterCompiler, impact: Impact, value_kind: str) -> Q:
    key = impact.key
    if impact.kind == "options_removed":
        removed = list(impact.detail.get("removed", []))
        if value_kind == "array":
            q = Q(id__in=[])
            for value in removed:
                q |= compiler.condition(Condition(key, "contains", value), ("where",))
            return q
        return compiler.condition(Condition(key, "in", removed), ("where",))
    if impact.kind == "required_added":
        return compiler.condition(Condition(key, "is_null", True), ("where",))
    # type changes, removals and tightened rules hit every record holding a value
    return compiler.condition(Condition(key, "is_null", False), ("where",))


async def _holding(base: Any, old: Any, key: str) -> list[tuple[int, dict]]:
    """(id, fields) of records holding a value of `key`, selected in SQL."""
    compiler = FieldFilterCompiler(old.filterable)
    compiler.compiled.q = compiler.condition(Condition(key, "is_null", False), ("where",))
    return await compiler.compiled.apply(base).order_by("id").values_list("id", "fields")


async def _violators(base: Any, old: Any, new: Any, key: str) -> list[int]:
    """Records whose value breaks the tightened rules (checked by the new validator)."""
    return [
        record_id
        for record_id, values in await _holding(base, old, key)
        if new.validate_field(key, (values or {}).get(key))
    ]


async def _duplicates(base: Any, new: Any, key: str) -> list[int]:
    """Ids of records sharing a normalised value of `key` with an earlier record (the
    normal form is Python's: NFKC, casefold, phone digits)."""
    rows = await _holding(base, new, key)
    seen: dict[str, int] = {}
    dupes: dict[str, list[int]] = defaultdict(list)
    for record_id, values in rows:
        value = (values or {}).get(key)
        if value is None:
            continue
        normal = new.normalize_unique(key, value)
        if normal in seen:
            dupes[normal].append(record_id)
        else:
            seen[normal] = record_id
    return sorted(i for ids in dupes.values() for i in ids)


async def plan_issues(
    tenant_id: int,
    kind: str,
    impacts: list[Impact],
    plan: dict[str, Any],
    old_doc: dict,
    new_doc: dict,
) -> list[Issue]:
    """Issues of a migration plan: malformed, or leaving records broken. A conditional
    change the plan leaves partly uncovered (options removed but not all mapped) is
    counted again for what is left."""
    breaking = [i for i in impacts if i.breaking]
    issues = check_migration(breaking, plan, new=compile_fields(new_doc))
    flagged = {issue.path[:1] for issue in issues}
    for change in uncovered(breaking, plan):
        if change.severity == "breaking" or (change.key,) in flagged:
            continue
        left = Impact(change.key, change.kind, change.severity, dict(change.detail))
        if change.kind == "options_removed":
            left.affected = await _count(tenant_id, kind, old_doc, left)
        else:
            left.affected = next(i.affected for i in breaking if i.key == change.key)
        if left.affected:
            issues.append(
                Issue(
                    (change.key,),
                    "migration_required",
                    f"{left.affected} records break ({change.kind}); the plan must cover them",
                )
            )
    return issues


def _records(tenant_id: int, kind: str) -> Any:
    """The tenant's live records of the entity behind `kind` (merged-away ones are gone)."""
    model = ENTITIES[kind].model()
    base = model.filter(tenant_id=tenant_id)
    if "merged_into_id" in model._meta.fields_map:
        base = base.filter(merged_into_id=None)
    return base


async def _count(tenant_id: int, kind: str, old_doc: dict, impact: Impact) -> int:
    old = compile_fields(old_doc)
    base = _records(tenant_id, kind)
    compiler = FieldFilterCompiler(old.filterable)
    compiler.compiled.q = _affected(compiler, impact, old.filterable[impact.key])
    return await compiler.compiled.apply(base).count()
