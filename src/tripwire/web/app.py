"""The web application: REST API under ``/api/v1`` and the server-rendered dashboard.

``create_app(settings)`` builds the FastAPI app over the configured store;
``tripwire serve`` runs it with uvicorn. Templates and assets ship inside the
package (no CDN). The dashboard refreshes itself when the store changes,
through the server-sent events stream at ``/api/v1/events``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..errors import NotFound
from ..icd203 import judgement
from ..app.context import Context, load_knowledge
from ..knowledge import KnowledgeBase
from ..settings import Settings
from ..store import Store
from .api import AppState, BodyLimit, install_error_handlers, router
from .downloads import load_view
from .downloads import router as downloads
from .filters import STATUSES, ViewFilter, ViewParam
from .docs import install_api_docs
from .guard import HostAndHeaders
from .schemas import install_openapi
from .views import board, chain_layout, status_changes, svg_map, time_axis, timeline

_HERE = Path(str(resources.files("tripwire.web")))
_templates = Environment(loader=FileSystemLoader(str(_HERE / "templates")), autoescape=select_autoescape(["html", "j2"]))
_templates.filters["judged"] = lambda x: judgement(x.probability, x.confidence)  # ICD 203 words and confidence of an evaluation or posterior entry


def create_app(settings: Settings | None = None, *, store: Store | None = None, kb: KnowledgeBase | None = None) -> FastAPI:
    """The Tripwire web app over ``store`` (default: the store named by ``settings.database_url``) and ``kb`` (default: the ``knowledge_dir`` setting's)."""
    settings = settings or Settings()
    if store is None:
        store = Store.from_settings(settings)
    ctx = Context(settings, kb if kb is not None else load_knowledge(settings), store)
    app = FastAPI(
        title="Tripwire API",
        version=__version__,
        description="Incidents, attribution statements, attribution posteriors and red-line status. Errors use one JSON envelope.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.tripwire = AppState(ctx)
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(HostAndHeaders, allowed_hosts=settings.allowed_hosts)  # added last: runs first
    app.include_router(router)
    app.include_router(downloads)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    install_api_docs(app)

    def render(name: str, request: Request, view: ViewFilter | None = None, **context: Any) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        view = view or ViewFilter()
        html = _templates.get_template(name).render(version=st.version, view=view, path=request.url.path, statuses=STATUSES, **context)
        return HTMLResponse(html)

    @app.get("/api/v1/events", include_in_schema=False)
    async def events(request: Request, since: int = Query(default=0, ge=0), timeout: float = Query(default=25.0, gt=0, le=60)) -> StreamingResponse:
        """Server-sent events: one ``change`` event when the store version passes ``since``."""
        st: AppState = request.app.state.tripwire

        async def stream() -> AsyncIterator[str]:
            waited = 0.0
            yield ": connected\n\n"
            while waited < timeout:
                if st.version > since:
                    yield f"event: change\ndata: {json.dumps({'version': st.version})}\n\n"
                    return
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.25)
                waited += 0.25
            yield ": timeout\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def board_page(request: Request, view: ViewParam) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        events = load_view(st.store, view)
        incidents = {i.id: i for i in events.incidents}
        rows = [r for r in board(st.store.latest_evaluations(), incidents) if r.incident_id in incidents and view.status in (None, r.status.value)]
        shown, paging = view.paginate(rows)
        counts = {"documents": st.store.count_documents(), "incidents": st.store.count_incidents()}
        return render("board.html.j2", request, view, rows=shown, paging=paging, counts=counts)

    @app.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
    def incidents_page(request: Request, view: ViewParam) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        events = load_view(st.store, view)
        shown, paging = view.paginate(events.incidents)
        return render("incidents.html.j2", request, view, incidents=shown, paging=paging, statuses_of=events.statuses)

    @app.get("/incidents/{incident_id}", response_class=HTMLResponse, include_in_schema=False)
    def incident_page(request: Request, incident_id: str) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        incident = st.store.get_incident(incident_id)
        try:
            result = st.store.get_attribution(incident_id)
        except NotFound:
            result = None
        from ..attribute import hypothesis_space
        from ..attribute.ach import ach_html, ach_matrix

        hypotheses = [e.hypothesis for e in result.posterior] if result else hypothesis_space(st.kb, incident)
        matrix = Markup(ach_html(ach_matrix(incident, hypotheses, st.kb, result=result)))  # noqa: S704 - ach_html escapes every value
        history = st.store.evaluation_history(incident_id=incident_id)
        return render("incident.html.j2", request, incident=incident, result=result, ach_html=matrix, history=history)

    @app.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
    def timeline_page(request: Request, view: ViewParam) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        events = load_view(st.store, view)
        entries = timeline(events.incidents, events.actions)
        kept = {i.id for i in events.incidents}
        changes = [c for c in status_changes(st.store.evaluation_history()) if c.incident_id in kept and view.status in (None, c.status.value)]
        shown, paging = view.paginate(entries)
        return render("timeline.html.j2", request, view, entries=shown, paging=paging, axis=time_axis(entries, changes))

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, view: ViewParam) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        events = load_view(st.store, view)
        points, frame, borders = svg_map(events.incidents, st.kb)
        shown, paging = view.paginate(events.incidents)
        return render("map.html.j2", request, view, points=points, frame=frame, borders=borders, incidents=shown, paging=paging, statuses_of=events.statuses)

    @app.get("/chain", response_class=HTMLResponse, include_in_schema=False)
    def chain_page(request: Request, view: ViewParam) -> HTMLResponse:
        st: AppState = request.app.state.tripwire
        events = load_view(st.store, view)
        layout = chain_layout(events.incidents, events.actions, st.kb)
        return render("chain.html.j2", request, view, layout=layout)

    return app
