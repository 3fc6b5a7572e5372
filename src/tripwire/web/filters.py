"""The dashboard's view filter: date range, country, actor, red-line status, text, and paging.

Every list page reads the same query parameters (``since``, ``until``,
``country``, ``actor``, ``status``, ``q``, ``page``, ``limit``), so a view is
a URL that can be bookmarked; the pages render them as a plain GET form and
paging links, which work without JavaScript. Empty parameters (what a
submitted form sends for a blank field) mean "no filter". A bad value is a
:class:`~tripwire.errors.InputError` (HTTP 400 in the error envelope) naming
the parameter.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query

from ..errors import InputError
from ..model import Action, Evaluation, Incident, RedLineStatus

T = TypeVar("T")
STATUSES = tuple(s.value for s in RedLineStatus)
MAX_LIMIT = 500


@dataclass(frozen=True)
class Paging:
    """Where a page sits in the filtered whole."""

    page: int
    pages: int
    total: int
    first: int  # 1-based index of the first item shown (0 when none)
    last: int


@dataclass(frozen=True)
class ViewFilter:
    """What a list page shows: the filters and the page asked for."""

    since: dt.date | None = None
    until: dt.date | None = None
    country: str | None = None
    actor: str | None = None
    status: str | None = None
    q: str | None = None
    page: int = 1
    limit: int = 50

    @property
    def active(self) -> bool:
        """Whether any filter (not paging) is set."""
        return any(v is not None for v in (self.since, self.until, self.country, self.actor, self.status, self.q))

    # -- matching ---------------------------------------------------------------
    def _dated(self, date: dt.date | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if date is None:
            return False
        return (self.since is None or date >= self.since) and (self.until is None or date <= self.until)

    def _text(self, *values: str | None) -> bool:
        return self.q is None or any(self.q.lower() in v.lower() for v in values if v)

    def incident(self, incident: Incident, status: str | None = None) -> bool:
        """Whether ``incident`` (with its worst red-line ``status``, if any) is in the view."""
        place = incident.place
        actors = {a.actor for a in incident.attributions} | {a.sponsor for a in incident.attributions if a.sponsor}
        return (
            self._dated(incident.date)
            and (self.country is None or (place is not None and place.country == self.country))
            and (self.actor is None or self.actor in {a.lower() for a in actors})
            and (self.status is None or status == self.status)
            and self._text(incident.id, incident.summary, incident.attack_type, incident.weapon, incident.target, place.name if place else None)
        )

    def action(self, action: Action) -> bool:
        """Whether ``action`` is in the view; actions have no red-line status, so a status filter leaves them out."""
        return (
            self.status is None
            and self._dated(action.date)
            and (self.country is None or (action.place is not None and action.place.country == self.country))
            and (self.actor is None or self.actor in {(action.actor or "").lower(), (action.target or "").lower()})
            and self._text(action.id, action.kind, action.summary, action.actor, action.target, action.place.name if action.place else None)
        )

    def incidents(self, incidents: Iterable[Incident], statuses: Mapping[str, str]) -> list[Incident]:
        """The incidents in the view, newest first (undated last)."""
        kept = [i for i in incidents if self.incident(i, statuses.get(i.id))]
        return sorted(kept, key=lambda i: (i.date is not None, i.date or dt.date.min, i.id), reverse=True)

    # -- paging -----------------------------------------------------------------
    def paginate(self, items: Sequence[T]) -> tuple[list[T], Paging]:
        """The items of the page asked for (the last page when past the end) and where it sits."""
        total = len(items)
        pages = max(1, math.ceil(total / self.limit))
        page = min(self.page, pages)
        start = (page - 1) * self.limit
        shown = list(items[start:start + self.limit])
        return shown, Paging(page, pages, total, start + 1 if shown else 0, start + len(shown))

    # -- links ------------------------------------------------------------------
    def params(self, **changes: Any) -> dict[str, str]:
        """The query parameters of this view (defaults left out), with ``changes`` applied."""
        view = replace(self, **changes)
        out = {k: str(v) for k, v in (("since", view.since), ("until", view.until), ("country", view.country), ("actor", view.actor),
                                      ("status", view.status), ("q", view.q)) if v is not None}
        if view.page != 1:
            out["page"] = str(view.page)
        if view.limit != 50:
            out["limit"] = str(view.limit)
        return out

    def query(self, **changes: Any) -> str:
        """``?since=...&page=2`` for this view with ``changes`` (empty string when there is nothing to say)."""
        params = self.params(**changes)
        return "?" + urlencode(params) if params else ""


def worst_status(evaluations: Iterable[Evaluation]) -> dict[str, str]:
    """Incident id -> its most serious latest red-line status across rules."""
    worst: dict[str, RedLineStatus] = {}
    for ev in evaluations:
        if ev.incident_id not in worst or ev.status.rank < worst[ev.incident_id].rank:
            worst[ev.incident_id] = ev.status
    return {k: v.value for k, v in worst.items()}


def _blank(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


def _date(name: str, value: str | None) -> dt.date | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD, got {value!r}", detail={"parameter": name}) from None


def _int(name: str, value: str | None, default: int, high: int) -> int:
    value = _blank(value)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise InputError(f"{name} must be a whole number from 1 to {high}, got {value!r}", detail={"parameter": name})
    return int(value)


def parse_filter(
    since: str | None = None,
    until: str | None = None,
    country: str | None = None,
    actor: str | None = None,
    status: str | None = None,
    q: str | None = None,
    page: str | None = None,
    limit: str | None = None,
) -> ViewFilter:
    """A :class:`ViewFilter` from query-string values (blank means unset); raises InputError on a bad one."""
    start, end = _date("since", since), _date("until", until)
    if start and end and start > end:
        raise InputError(f"since ({start}) is after until ({end})", detail={"parameter": "since"})
    code = _blank(country)
    if code is not None and not re.fullmatch(r"[A-Za-z]{2}", code):
        raise InputError(f"country must be a two-letter ISO code, got {code!r}", detail={"parameter": "country"})
    state = _blank(status)
    if state is not None and state.lower() not in STATUSES:
        raise InputError(f"status must be one of {', '.join(STATUSES)}, got {state!r}", detail={"parameter": "status"})
    who, text = _blank(actor), _blank(q)
    for name, value in (("actor", who), ("q", text)):
        if value is not None and len(value) > 200:
            raise InputError(f"{name} is longer than 200 characters", detail={"parameter": name})
    return ViewFilter(
        since=start, until=end, country=code.upper() if code else None, actor=who.lower() if who else None,
        status=state.lower() if state else None, q=text, page=_int("page", page, 1, 1_000_000), limit=_int("limit", limit, 50, MAX_LIMIT),
    )


def view_filter(
    since: str | None = Query(default=None, max_length=40),
    until: str | None = Query(default=None, max_length=40),
    country: str | None = Query(default=None, max_length=40),
    actor: str | None = Query(default=None, max_length=400),
    status: str | None = Query(default=None, max_length=40),
    q: str | None = Query(default=None, max_length=400),
    page: str | None = Query(default=None, max_length=20),
    limit: str | None = Query(default=None, max_length=20),
) -> ViewFilter:
    """FastAPI dependency: the view filter of a dashboard request."""
    return parse_filter(since, until, country, actor, status, q, page, limit)


#: a route parameter that is the request's view filter
ViewParam = Annotated[ViewFilter, Depends(view_filter)]

__all__ = ["MAX_LIMIT", "STATUSES", "Paging", "ViewFilter", "ViewParam", "parse_filter", "view_filter", "worst_status"]
