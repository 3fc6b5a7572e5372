"""Attribution jobs the CLI (and other callers) run: an incident from the store, or every incident in an article."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import DecodeError, InputError, StoreError
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionResult, Incident
from ..settings import Settings
from .engine import Attributor


def _open_store(settings: Settings):  # -> Store; a seam for tests
    try:
        from ..store import Store
    except ImportError as exc:  # pragma: no cover - the store ships with the package
        raise StoreError(f"the store is not available: {exc}") from exc
    return Store.from_settings(settings)


def context_for(incident: Incident, incidents: list[Incident], actions: list[Action]) -> list[Incident | Action]:
    """Earlier incidents and actions (undated ones included) as context for ``incident``."""
    when = incident.date or dt.date.max
    ctx: list[Incident | Action] = [i for i in incidents if i.id != incident.id and (i.date is None or i.date <= when)]
    ctx += [a for a in actions if a.date is None or a.date <= when]
    return ctx


def attribute_stored(incident_id: str, *, settings: Settings, seed: int | None = None) -> AttributionResult:
    """Load ``incident_id`` and its context from the store named by ``settings`` and attribute it."""
    store = _open_store(settings)
    try:
        incident = store.get_incident(incident_id)
        earlier = store.list_incidents(until=incident.date, limit=1000) if incident.date else store.list_incidents(limit=1000)
        actions = store.list_actions(limit=1000)
    finally:
        store.close()
    kb = KnowledgeBase.load(settings.knowledge_dir or None)
    return Attributor(kb, settings=settings).attribute(incident, context=context_for(incident, earlier, actions),
                                                       rng=settings.seed if seed is None else seed)


def attribute_article(path: str | Path, *, settings: Settings, seed: int | None = None) -> list[AttributionResult]:
    """Extract the incidents of an article file and attribute each (the article's actions and earlier incidents as context)."""
    from ..extract.extractor import extract_text

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read article {p}: {exc.strerror or exc}") from exc
    if len(raw) > int(settings.max_document_bytes):
        from ..errors import DocumentTooLarge

        raise DocumentTooLarge(f"article {p} is {len(raw)} bytes, over the limit of {settings.max_document_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"article {p} is not UTF-8 text") from exc
    kb = KnowledgeBase.load(settings.knowledge_dir or None)
    extraction = extract_text(text, kb=kb)
    att = Attributor(kb, settings=settings)
    rng = settings.seed if seed is None else seed
    incidents = list(extraction.incidents)
    return [att.attribute(i, context=context_for(i, incidents, list(extraction.actions)), rng=rng) for i in incidents]
