"""The REST API (FastAPI): incidents, claims, attribution, red-line status and history, ingest.

Every error — ours, validation, unknown route, oversized body, unexpected —
comes back in one JSON envelope::

    {"error": {"code": "not_found", "message": "...", "detail": {...}}}

Reads are open; writes (``POST /api/v1/documents``) need ``Authorization:
Bearer <api_token>`` and are disabled while the ``api_token`` setting is empty.
"""

from __future__ import annotations

import datetime as dt
import hmac
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..app.context import Context
from ..errors import DocumentTooLarge, NotFound, TripwireError, Unauthorized, WritesDisabled
from ..jsonable import to_jsonable
from ..model import AttributionResult, AttributionStatement, Document, Incident, normalise_text
from ..redlines.rules import RedLineRule
from .schemas import ActionPage, EvaluationPage, Health, IncidentPage, PostedDocument


def envelope(status: int, code: str, message: str, detail: dict[str, Any] | None = None) -> JSONResponse:
    """The one JSON error shape every failure uses."""
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message, "detail": detail or {}}})


class NewDocument(BaseModel):
    """An article posted for ingestion."""

    text: str = Field(min_length=1, description="Article text (plain text or Markdown).")
    title: str | None = Field(default=None, max_length=1000)
    outlet: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    published: dt.date | None = None

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not normalise_text(value):  # what would be stored and hashed: whitespace and NULs alone leave nothing
            raise ValueError("text is empty: it holds only whitespace or NUL characters")
        return value


#: Forecasts computed at the same time at most (each costs about a second or more of CPU).
FORECAST_SLOTS = 2
#: Seconds a forecast request waits for a free slot before it is answered 503 ``busy``.
FORECAST_WAIT_S = 10.0
#: Forecasts kept for reuse (one per parameter set and store state).
FORECAST_CACHE = 32


class AppState:
    """What the app holds between requests: the context (settings, knowledge, store, rules) and a change counter."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.store = ctx.store
        self.kb = ctx.kb
        self.version = 0
        self.changed = threading.Condition()
        self.write_lock = threading.Lock()
        #: forecasts already computed, by parameters and store state (see :func:`escalation_forecast`)
        self.forecasts: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.forecasts_lock = threading.Lock()
        self.forecast_slots = threading.BoundedSemaphore(FORECAST_SLOTS)

    def bump(self) -> None:
        """Note that stored data changed, waking live-update listeners."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()


def state(request: Request) -> AppState:
    return request.app.state.tripwire  # type: ignore[no-any-return]


def require_token(request: Request, authorization: str | None = Header(default=None)) -> None:
    """Write endpoints: a bearer token equal to the ``api_token`` setting."""
    expected = state(request).settings.api_token
    if not expected:
        raise WritesDisabled("write endpoints are disabled: set the api_token setting to enable them")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("a valid 'Authorization: Bearer <token>' header is required")


def dump(obj: Any) -> Any:
    """``obj`` as plain JSON data (the same conversion the CLI's ``--format json`` uses)."""
    return to_jsonable(obj)


def page(schema: type[BaseModel], items: list[Any], total: int, limit: int, offset: int) -> Response:
    """A page of domain models as JSON, written by its page ``schema`` in one pydantic pass.

    The same data :func:`dump` gives (``model_dump(mode="json")``, NaN and
    infinities as null), without walking it in Python twice (once to make
    plain data, once more in FastAPI's encoder): a page of 50 incidents costs
    about 0.5 ms here instead of 7.
    """
    body = schema.model_construct(items=items, total=total, limit=limit, offset=offset)  # the items are validated models already
    return Response(content=body.model_dump_json(), media_type="application/json")


router = APIRouter(prefix="/api/v1")


@router.get("/health", response_model=None, responses={200: {"model": Health}})
def health(request: Request) -> dict[str, Any]:
    """Liveness plus store counts."""
    st = state(request)
    return {"status": "ok", "documents": st.store.count_documents(), "incidents": st.store.count_incidents(), "version": st.version}


@router.get("/incidents", response_model=None, responses={200: {"model": IncidentPage}})
def list_incidents(
    request: Request,
    since: dt.date | None = None,
    until: dt.date | None = None,
    country: str | None = Query(default=None, min_length=2, max_length=2, pattern="^[A-Za-z]{2}$"),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
) -> Response:
    """Incidents in date order (undated last), filtered by date range and ISO country."""
    st = state(request)
    filters = {"since": since, "until": until, "country": country.upper() if country else None}
    items = st.store.list_incidents(**filters, limit=limit, offset=offset)
    return page(IncidentPage, items, st.store.count_incidents(**filters), limit, offset)


@router.get("/incidents/{incident_id}", response_model=None, responses={200: {"model": Incident}})
def get_incident(request: Request, incident_id: str) -> Any:
    """One incident with its casualties, claims and provenance."""
    return dump(state(request).store.get_incident(incident_id))


@router.get("/incidents/{incident_id}/claims", response_model=None, responses={200: {"model": list[AttributionStatement]}})
def get_claims(request: Request, incident_id: str) -> Any:
    """The attribution statements made about one incident."""
    return dump(state(request).store.get_incident(incident_id).attributions)


@router.get("/incidents/{incident_id}/attribution", response_model=None, responses={200: {"model": AttributionResult}})
def get_attribution(request: Request, incident_id: str) -> Any:
    """The stored posterior over hypotheses with its explanation; with none stored, computed now in the context every job uses (not stored)."""
    st = state(request)
    try:
        return dump(st.store.get_attribution(incident_id))
    except NotFound:
        from ..app.jobs import attribute_stored

        return dump(attribute_stored(st.ctx, incident_id))


@router.get("/actions", response_model=None, responses={200: {"model": ActionPage}})
def list_actions(request: Request, limit: int = Query(default=100, ge=1, le=1000), offset: int = Query(default=0, ge=0, le=10_000_000)) -> Response:
    """Strikes, protests, votes, pledges and withdrawals."""
    store = state(request).store
    return page(ActionPage, store.list_actions(limit=limit, offset=offset), store.count_actions(), limit, offset)


@router.get("/escalation/forecast", response_model=None, responses={200: {"model": dict[str, Any]}})
def escalation_forecast(
    request: Request,
    window_days: float = Query(default=30.0, gt=0, le=365),
    decay_per_day: float = Query(default=0.2, gt=0, le=10),
    n_sims: int = Query(default=500, ge=10, le=5000),
    seed: int = Query(default=0, ge=0, le=2**32 - 1),
) -> Any:
    """Attack intensity over the next window: a Hawkes model fitted to stored attacks and US strikes.

    A forecast is computed once per parameter set and store state (the app's
    change counter and the numbers of stored incidents and actions) and then
    served from memory; at most ``FORECAST_SLOTS`` are computed at once, and a
    request that waits ``FORECAST_WAIT_S`` seconds for a slot gets 503 ``busy``.
    """
    from ..app.outputs import forecast

    st = state(request)
    key = (window_days, decay_per_day, n_sims, seed, st.version, st.store.count_incidents(), st.store.count_actions())
    cached = _cached_forecast(st, key)
    if cached is not None:
        return cached
    if not st.forecast_slots.acquire(timeout=FORECAST_WAIT_S):
        return envelope(503, "busy", f"{FORECAST_SLOTS} forecasts are being computed; try again shortly", {"retry_after_s": FORECAST_WAIT_S})
    try:
        cached = _cached_forecast(st, key)  # computed by another request while this one waited
        if cached is not None:
            return cached
        result = dump(forecast(st.ctx, window_days=window_days, decay_per_day=decay_per_day, n_sims=n_sims, seed=seed))
    finally:
        st.forecast_slots.release()
    with st.forecasts_lock:
        st.forecasts[key] = result
        while len(st.forecasts) > FORECAST_CACHE:
            st.forecasts.popitem(last=False)
    return result


def _cached_forecast(st: AppState, key: tuple[Any, ...]) -> Any:
    with st.forecasts_lock:
        if key in st.forecasts:
            st.forecasts.move_to_end(key)
            return st.forecasts[key]
    return None


@router.get("/redlines", response_model=None, responses={200: {"model": list[RedLineRule]}})
def list_rules(request: Request) -> Any:
    """The red-line rules in force: the ``rules_file`` setting's, else the bundled examples."""
    return [rule.model_dump(mode="json", by_alias=True) for rule in state(request).ctx.rules()]  # "not", as rule files spell it


@router.get("/redlines/status", response_model=None, responses={200: {"model": EvaluationPage}})
def redline_status(request: Request, limit: int = Query(default=500, ge=1, le=5000), offset: int = Query(default=0, ge=0, le=10_000_000)) -> Response:
    """The latest evaluation for every (rule, incident) pair, by rule then incident, paginated."""
    store = state(request).store
    return page(EvaluationPage, store.latest_evaluations(limit=limit, offset=offset), store.count_latest_evaluations(), limit, offset)


@router.get("/redlines/history", response_model=None, responses={200: {"model": EvaluationPage}})
def redline_history(
    request: Request,
    rule_id: str | None = Query(default=None, max_length=200),
    incident_id: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=500, ge=1, le=5000),
    offset: int = Query(default=0, ge=0, le=10_000_000),
) -> Response:
    """Recorded evaluations, oldest first (append-only audit trail), paginated."""
    store = state(request).store
    items = store.evaluation_history(rule_id=rule_id, incident_id=incident_id, limit=limit, offset=offset)
    return page(EvaluationPage, items, store.count_evaluations(rule_id=rule_id, incident_id=incident_id), limit, offset)


@router.post("/documents", status_code=201, dependencies=[Depends(require_token)], response_model=None, responses={201: {"model": PostedDocument}})
def post_document(request: Request, body: NewDocument) -> dict[str, Any]:
    """Store an article (deduplicated by content hash), extract it and refresh the merged incidents."""
    from ..app.jobs import merge_and_save
    from ..extract import extract

    st = state(request)
    if len(body.text.encode("utf-8")) > st.settings.max_document_bytes:
        raise DocumentTooLarge(f"article text exceeds max_document_bytes ({st.settings.max_document_bytes})")
    published = dt.datetime.combine(body.published, dt.time(), tzinfo=dt.timezone.utc) if body.published else None
    doc = Document.from_text(
        body.text,
        location=body.url or "api:post",
        title=body.title,
        outlet=body.outlet,
        published=published,
        retrieved_at=dt.datetime.now(dt.timezone.utc),
    )
    with st.write_lock:
        added = st.store.add_document(doc)
        extraction = extract(doc, st.kb)
        st.store.save_extraction(extraction)
        merged = merge_and_save(st.ctx)  # fold this article's reports into the events already stored
    st.bump()
    return {
        "id": doc.id,
        "added": added,
        "incidents": [i.id for i in merged.incidents if doc.id in i.documents],
        "actions": [a.id for a in merged.actions if doc.id in a.documents],
    }


def install_error_handlers(app: FastAPI) -> None:
    """Map every failure to the JSON envelope."""

    @app.exception_handler(TripwireError)
    async def _tripwire(_request: Request, exc: TripwireError) -> JSONResponse:
        return envelope(exc.http_status, exc.code, exc.message, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return envelope(422, "invalid_request", "the request does not match the API schema", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return envelope(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - defensive
        return envelope(500, "internal_error", "an unexpected error occurred; nothing was changed", {"type": type(exc).__name__})


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes before they are read whole.

    A declared ``Content-Length`` over the limit is refused at once; a chunked body
    (no length) is buffered up to the limit and then handed on unchanged.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await envelope(400, "invalid_request", "Content-Length is not a number")(scope, receive, send)
            elif int(length) > self.limit:
                await envelope(413, DocumentTooLarge.code, f"request body over the {self.limit}-byte limit")(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        if scope.get("method") not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.limit:
                await envelope(413, DocumentTooLarge.code, f"request body over the {self.limit}-byte limit")(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


__all__ = ["AppState", "BodyLimit", "envelope", "install_error_handlers", "router"]
