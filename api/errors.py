"""Error codes of the API and the exceptions services raise for expected failures.

Services raise `AppError` subclasses; `api.extensions.ErrorCodes` turns them into
GraphQL errors carrying `extensions.code` (and `extensions.fieldErrors` for
validation). This module imports neither strawberry nor the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Machine-readable error codes found in `extensions.code`."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    # The document itself was rejected: syntax, unknown field, wrong argument type,
    # depth or token limits.
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


Path = Sequence[str | int]


@dataclass(frozen=True)
class FieldError:
    """One failing input value: where it is, which rule it broke, and why."""

    path: tuple[str | int, ...]
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "rule": self.rule, "message": self.message}


class AppError(Exception):
    """An expected failure that is reported to the caller with a code."""

    code: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def graphql_extensions(self) -> dict[str, Any]:
        return {"code": self.code.value, **self.extensions}


class Unauthenticated(AppError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(AppError):
    code = ErrorCode.FORBIDDEN


class NotFound(AppError):
    code = ErrorCode.NOT_FOUND


class Conflict(AppError):
    code = ErrorCode.CONFLICT


class RateLimited(AppError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, retryAfterSeconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class ValidationFailed(AppError):
    code = ErrorCode.VALIDATION_FAILED

    def __init__(self, errors: Sequence[FieldError], message: str | None = None) -> None:
        self.errors = list(errors)
        summary = message or "; ".join(
            f"{'.'.join(map(str, e.path))}: {e.message}" for e in self.errors
        )
        super().__init__(summary or "Invalid input")

    def graphql_extensions(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "fieldErrors": [e.as_dict() for e in self.errors],
        }


@dataclass
class FieldErrors:
    """Collects every failing input value, then raises them all at once.

    >>> errors = FieldErrors(prefix=("input",))
    >>> errors.check(len(name) > 0, ("name",), "minLength", "must not be empty")
    >>> errors.raise_if_any()
    """

    prefix: tuple[str | int, ...] = ("input",)
    errors: list[FieldError] = field(default_factory=list)

    def add(self, path: Path, rule: str, message: str) -> None:
        self.errors.append(FieldError((*self.prefix, *path), rule, message))

    def check(self, ok: bool, path: Path, rule: str, message: str) -> bool:
        if not ok:
            self.add(path, rule, message)
        return ok

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def invalid(path: Path, rule: str, message: str) -> ValidationFailed:
    """A ValidationFailed for a single value (path given without the `input` prefix)."""
    return ValidationFailed([FieldError(tuple(path), rule, message)])
