"""The filter compiler: conditions on custom fields (JSON column `fields`) and on plain
columns become SQL for SQLite and PostgreSQL, never filtering in Python.

Custom field values are reached with `json_extract("fields", '$.key')` on SQLite and
`"fields"->>'key'` on PostgreSQL, added to the queryset as annotations so values stay
bound parameters. On PostgreSQL an equality is a JSON containment (`"fields" @> ...`),
which the GIN index on `fields` answers. Field keys are interpolated into SQL only after
matching the key pattern of the metadata engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from api.errors import invalid

# A field key, or "key.part" for a part of an object value (money amount, region city).
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62})?$")
_NUMERIC = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
OPERATORS = ("eq", "ne", "in", "lt", "lte", "gt", "gte", "contains", "is_null")


def dialect() -> str:
    return connections.get("default").capabilities.dialect


@dataclass
class Condition:
    """One condition on a custom field: `key op value`."""

    key: str
    op: str
    value: Any


@dataclass
class Compiled:
    """A compiled filter: annotations the queryset needs, then a Q over them."""

    annotations: dict[str, RawSQL] = field(default_factory=dict)
    q: Q = field(default_factory=Q)

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.annotations:
            qs = qs.annotate(**self.annotations)
        return qs.filter(self.q)


class FieldFilterCompiler:
    """Compiles conditions on the custom fields of one entity, given the value kind of
    each filterable key (from the published field version: text, number, boolean, date,
    datetime, array, money)."""

    def __init__(self, kinds: dict[str, str], path: Sequence[str | int] = ("where",)) -> None:
        self.kinds = kinds
        self.path = tuple(path)
        self.dialect = dialect()
        self.compiled = Compiled()
        self._n = 0

    def _expr(self, key: str, kind: str) -> str:
        parts = key.split(".")
        if self.dialect == "sqlite":
            expr = f"json_extract(\"fields\", '$.{key}')"
            # parts of objects may hold numbers as decimal strings (money amounts)
            return f"CAST({expr} AS REAL)" if kind == "number" and len(parts) > 1 else expr
        path = "".join(f"->'{p}'" for p in parts[:-1])
        text = f"(\"fields\"{path}->>'{parts[-1]}')"
        if kind == "number":
            # a guarded cast: one malformed row must not fail the whole query
            return f"(CASE WHEN {text} ~ '{_NUMERIC}' THEN {text}::numeric END)"
        return text

    def _annotation(self, sql: str) -> str:
        self._n += 1
        name = f"_cf{self._n}"
        self.compiled.annotations[name] = RawSQL(sql)
        return name

    def _check_key(self, key: str, path: tuple) -> str:
        if _KEY.match(key) and key in self.kinds:
            return self.kinds[key]
        if _KEY.match(key) and any(k.startswith(f"{key}.") for k in self.kinds):
            return "object"  # money, region: only is_null applies to the whole value
        raise invalid((*path, "key"), "enum", f"No filterable custom field {key!r}")

    def _value(self, kind: str, value: Any) -> Any:
        if kind == "boolean":
            if self.dialect == "sqlite":
                return 1 if value else 0
            return "true" if value else "false"
        return value

    def condition(self, cond: Condition, path: tuple) -> Q:
        kind = self._check_key(cond.key, path)
        if cond.op not in OPERATORS:
            raise invalid((*path, cond.op), "enum", f"Unknown operator {cond.op}")
        if cond.op == "eq" and self.dialect == "postgres" and "." not in cond.key:
            literal = json.dumps({cond.key: cond.value}).replace("'", "''")
            name = self._annotation(f"(\"fields\" @> '{literal}'::jsonb)")
            return Q(**{name: True})
        if kind == "object" and cond.op != "is_null":
            raise invalid((*path, "key"), "enum", f"Filter on a part: {cond.key}.<part>")
        name = self._annotation(self._expr(cond.key, kind))
        v = cond.value
        if cond.op == "is_null":
            return Q(**{f"{name}__isnull": bool(v)})
        if cond.op == "ne":
            return Q(**{f"{name}__not": self._value(kind, v)}) | Q(**{f"{name}__isnull": True})
        if cond.op == "contains":
            lookup = (
                {f"{name}__contains": json.dumps(v)}
                if kind == "array"
                else {f"{name}__icontains": str(v)}
            )
        elif cond.op == "in":
            if not isinstance(v, list):
                raise invalid((*path, "in"), "type", "`in` takes a list")
            lookup = {f"{name}__in": [self._value(kind, x) for x in v]}
        else:
            suffix = {"eq": "", "lt": "__lt", "lte": "__lte", "gt": "__gt", "gte": "__gte"}
            lookup = {f"{name}{suffix[cond.op]}": self._value(kind, v)}
        # "IS NOT NULL" keeps the condition two-valued, so `not` of it holds for unset values
        return Q(**lookup) & Q(**{f"{name}__isnull": False})

    def order_annotation(self, key: str, path: tuple) -> str:
        """An annotation to sort by a custom field; missing values sort first."""
        kind = self._check_key(key, path)
        empty = "-1e18" if kind == "number" else "''"
        if kind == "boolean":
            empty = "0" if self.dialect == "sqlite" else "''"
        return self._annotation(f"COALESCE({self._expr(key, kind)}, {empty})")
