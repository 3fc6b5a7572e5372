"""Response schemas of the REST API, and the OpenAPI document made to match the real responses.

The handlers return plain JSON data (:func:`~tripwire.web.api.dump` of the
domain models); the models here only describe it. :func:`install_openapi`
replaces FastAPI's default error schema (``HTTPValidationError``) with the
one envelope every failure really uses (:class:`ErrorEnvelope`), and lists
on every operation the error statuses it can answer with: 400 for all
(a malformed Content-Length), 404 where the path names a resource, 422
where there are parameters or a body, 401/403/413 on writes, and 500 for
all (an unexpected error still answers in the envelope).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from ..model import Action, Evaluation, Incident


class ErrorBody(BaseModel):
    """What went wrong: a stable code, a sentence, and details (may be empty)."""

    code: str = Field(description="Stable machine-readable code, e.g. not_found, invalid_request, unauthorized, too_large.")
    message: str
    detail: dict[str, Any]


class ErrorEnvelope(BaseModel):
    """The one shape of every error response."""

    error: ErrorBody


class IncidentPage(BaseModel):
    """A page of incidents with its position in the whole."""

    items: list[Incident]
    total: int = Field(description="Every stored incident matching the filters.")
    limit: int
    offset: int


class ActionPage(BaseModel):
    """A page of actions with its position in the whole."""

    items: list[Action]
    total: int = Field(description="Every stored action.")
    limit: int
    offset: int


class EvaluationPage(BaseModel):
    """A page of red-line evaluations with its position in the whole."""

    items: list[Evaluation]
    total: int = Field(description="Every evaluation the query selects.")
    limit: int
    offset: int


class Health(BaseModel):
    """Liveness and store counts."""

    status: str
    documents: int
    incidents: int
    version: int = Field(description="Change counter: goes up when the store changes through this server.")


class PostedDocument(BaseModel):
    """What storing an article did."""

    id: str
    added: bool = Field(description="False when the same text was stored before.")
    incidents: list[str]
    actions: list[str]


_ERRORS = {
    400: "Bad input (the error envelope).",
    401: "No valid bearer token.",
    403: "Writes are disabled (no api_token set).",
    404: "No such resource or route.",
    413: "Request body over max_request_bytes.",
    422: "Request does not match the schema, or the data cannot be used.",
    500: "Unexpected error; nothing was changed.",
}


def _envelope_response(status: int) -> dict[str, Any]:
    return {"description": _ERRORS[status], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` with error responses described by the envelope."""
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas["ErrorEnvelope"] = envelope
    for item in doc.get("paths", {}).values():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            statuses = {400, 500}
            if any(p.get("in") == "path" for p in op.get("parameters", ())):
                statuses.add(404)
            if op.get("parameters") or op.get("requestBody") or "422" in responses:
                statuses.add(422)
            if method in {"post", "put", "patch"}:
                statuses |= {401, 403, 413}
            for status in sorted(statuses):
                responses[str(status)] = _envelope_response(status)
    return doc


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`openapi_document` (built once) at ``/openapi.json``."""

    def custom() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app)
        return app.openapi_schema

    app.openapi = custom  # type: ignore[method-assign]


__all__ = ["ActionPage", "ErrorBody", "ErrorEnvelope", "EvaluationPage", "Health", "IncidentPage", "PostedDocument", "install_openapi", "openapi_document"]
