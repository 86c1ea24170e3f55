"""Schema extensions: error codes on every error, and masking of unexpected ones."""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError

from api.errors import AppError, ErrorCode

log = logging.getLogger(__name__)


class ErrorCodes(MaskErrors):
    """Gives every error an `extensions.code`.

    AppErrors carry their own code (and fieldErrors); errors with no original exception
    are the document's (syntax, unknown fields, limits, variable types); anything else
    is a bug: logged, and reported as INTERNAL_SERVER_ERROR without its message.
    """

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._coded(error) for error in errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, GraphQLError) and original.original_error is not None:
            original = original.original_error
        if isinstance(original, AppError):
            return self._with(error, original.message, original.graphql_extensions())
        if isinstance(original, GlobalIDValueError):
            return self._with(error, "No object with this id", {"code": ErrorCode.NOT_FOUND})
        if (error.extensions or {}).get("code"):
            return error
        if original is None or isinstance(original, GraphQLError):
            # The document or its variables were rejected before any resolver ran.
            code = ErrorCode.GRAPHQL_VALIDATION_FAILED
            return self._with(error, error.message, {"code": code})
        log.error("unexpected error in %s", error.path, exc_info=original)
        return self._with(error, "Internal server error", {"code": ErrorCode.INTERNAL_SERVER_ERROR})

    @staticmethod
    def _with(error: GraphQLError, message: str, extensions: dict) -> GraphQLError:
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={
                k: str(v) if isinstance(v, ErrorCode) else v for k, v in extensions.items()
            },
        )
