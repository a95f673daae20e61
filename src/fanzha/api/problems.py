"""Errors as RFC 9457 problem details (``application/problem+json``), naming the field that was wrong."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException

from fanzha.intake import IngestError
from fanzha.ops import IllegalTransitionError, InvalidOperationError, NotPermittedError
from fanzha.store.cases import CaseStoreError, ReportConflictError, ReportNotFoundError, UnknownUnitError
from fanzha.store.cases.access import DuplicateAccountError
from fanzha.store.cases.ops import DuplicateOpsRecordError, OpsRecordNotFoundError, StaleRecordError

PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    """One bad field: where it is (``body.payments.0.amount.amount_minor``) and what is wrong with it."""

    field: str
    message: str


class Problem(BaseModel):
    """A problem detail (RFC 9457)."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Unprocessable content"])
    status: int = Field(examples=[422])
    detail: str | None = Field(
        default=None, examples=["report R1, field payments.0.time: is after received_at"]
    )
    instance: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    409: "Conflict", 413: "Content too large", 422: "Unprocessable content", 429: "Too many requests",
    500: "Internal server error",
}  # fmt: skip


def problem_response(
    request: Request, status: int, detail: str | None = None, errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:  # fmt: skip
    """A problem+json response for ``request``."""
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or [],
    )
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldProblem(field=".".join(str(part) for part in item["loc"]), message=item["msg"])
        for item in error.errors()
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem_response(request, 422, detail, errors)


def _domain_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ValidationError)
    errors = [
        FieldProblem(field=".".join(str(part) for part in item["loc"]), message=item["msg"])
        for item in error.errors()
    ]
    return problem_response(request, 422, f"{error.title}: {len(errors)} bad field(s)", errors)


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    headers: Any = getattr(error, "headers", None)
    return problem_response(request, error.status_code, str(error.detail), headers=headers)


def _ingest(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, IngestError)
    errors = [
        FieldProblem(field=f"{e.location}.{e.field}" if e.field else e.location, message=e.message)
        for e in error.errors
    ]
    return problem_response(request, 422, f"{len(errors)} bad record(s), nothing was written", errors)


def _store(status: int) -> Any:
    def handle(request: Request, error: Exception) -> JSONResponse:
        return problem_response(request, status, str(error))

    return handle


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error the API raises as problem+json."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IngestError, _ingest)
    app.add_exception_handler(ReportNotFoundError, _store(404))
    app.add_exception_handler(ReportConflictError, _store(409))
    app.add_exception_handler(UnknownUnitError, _store(422))
    app.add_exception_handler(CaseStoreError, _store(422))
    app.add_exception_handler(OpsRecordNotFoundError, _store(404))
    app.add_exception_handler(DuplicateAccountError, _store(409))
    app.add_exception_handler(DuplicateOpsRecordError, _store(409))
    app.add_exception_handler(StaleRecordError, _store(409))
    app.add_exception_handler(IllegalTransitionError, _store(409))
    app.add_exception_handler(NotPermittedError, _store(403))
    app.add_exception_handler(InvalidOperationError, _store(422))
    app.add_exception_handler(ValidationError, _domain_validation)
