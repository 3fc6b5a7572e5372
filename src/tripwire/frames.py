"""pandas DataFrames of what Tripwire holds: incidents, claims, actions, casualties, posteriors, evaluations, history.

Every function takes a *source*:

* a :class:`~tripwire.store.Store` (live incidents, their latest
  attribution results and red-line evaluations, as ``tripwire export`` sees them);
* a :class:`~tripwire.app.jobs.BriefResult` (what one ``run_brief`` produced);
* or the objects themselves: incidents, actions, attribution results or
  evaluations (one, or any iterable of them).

Each frame is the table of the same name in :mod:`tripwire.interop.tabular`
(one definition, shared with CSV/Parquet export; columns in that table's
order), converted from Arrow: dates and times become ``datetime64``, counts
``int64``, missing text and numbers ``NaN``/``None``. pandas is imported only
when this module is, never when ``tripwire`` or its CLI starts.

>>> from tripwire import Store, frames                      # doctest: +SKIP
>>> with Store("sqlite:///tripwire.db") as store:          # doctest: +SKIP
...     frames.posteriors(store).query("rank <= 3")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from .interop import tabular
from .model import Action, AttributionResult, Evaluation, Incident

__all__ = ["actions", "casualties", "claims", "evaluations", "history", "html_table", "incidents", "posteriors", "to_frame"]


@dataclass
class _Events:
    """What a source holds, each part loaded only when a frame asks for it."""

    source: Any
    _cache: dict[str, Any] = field(default_factory=dict)

    def _store_events(self) -> tuple[list[Incident], list[Action], dict[str, AttributionResult]]:
        if "events" not in self._cache:
            store = self.source
            self._cache["events"] = (list(store.iter_incidents()), list(store.iter_actions()), store.latest_attributions())
        return self._cache["events"]

    def _items(self, kind: type) -> list[Any]:
        src = self.source
        if isinstance(src, kind):
            return [src]
        if isinstance(src, Iterable) and not isinstance(src, (str, bytes)):
            return [x for x in _flatten(src) if isinstance(x, kind)]
        return []

    @property
    def is_store(self) -> bool:
        return hasattr(self.source, "list_incidents") and hasattr(self.source, "latest_evaluations")

    @property
    def is_brief(self) -> bool:
        return hasattr(self.source, "incidents") and hasattr(self.source, "results") and hasattr(self.source, "evaluations")

    def incidents(self) -> list[Incident]:
        if self.is_store:
            return self._store_events()[0]
        if self.is_brief:
            return list(self.source.incidents)
        return self._items(Incident)

    def actions(self) -> list[Action]:
        if self.is_store:
            return self._store_events()[1]
        if self.is_brief:
            return list(self.source.actions)
        return self._items(Action)

    def results(self) -> dict[str, AttributionResult]:
        if self.is_store:
            return self._store_events()[2]
        if self.is_brief:
            return dict(self.source.results)
        if isinstance(self.source, dict):
            return {k: v for k, v in self.source.items() if isinstance(v, AttributionResult)}
        return {r.incident_id: r for r in self._items(AttributionResult)}

    def evaluations(self, *, latest: bool) -> list[Evaluation]:
        if self.is_store:
            return self.source.latest_evaluations() if latest else self.source.evaluation_history()
        items = list(self.source.evaluations) if self.is_brief else self._items(Evaluation)
        if not latest:
            return items
        newest: dict[tuple[str, str], Evaluation] = {}
        for ev in items:
            newest[(ev.rule_id, ev.incident_id)] = ev
        return [newest[k] for k in sorted(newest)]


def _flatten(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from item
        else:
            yield item


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame: dates and timestamps as ``datetime64``, columns in the table's order."""
    return table.to_pandas(date_as_object=False)


def incidents(source: Any) -> pd.DataFrame:
    """One row per incident (:data:`~tripwire.interop.tabular.INCIDENT_COLUMNS`).

    ``perpetrator`` / ``perpetrator_probability`` are the most probable
    perpetrator (summed over sponsors and relations) and its probability;
    ``redline_status`` the most severe current status over the rules (empty
    when never checked); ``us_killed`` / ``us_injured`` count Americans.
    """
    events = _Events(source)
    incs = events.incidents()
    return to_frame(tabular.incidents_table(incs, events.results(), events.evaluations(latest=True)))


def claims(source: Any) -> pd.DataFrame:
    """One row per attribution statement of each incident (:data:`~tripwire.interop.tabular.CLAIM_COLUMNS`)."""
    return to_frame(tabular.claims_table(_Events(source).incidents()))


def actions(source: Any) -> pd.DataFrame:
    """One row per action (strike, vote, withdrawal...; :data:`~tripwire.interop.tabular.ACTION_COLUMNS`)."""
    return to_frame(tabular.actions_table(_Events(source).actions()))


def casualties(source: Any) -> pd.DataFrame:
    """One row per casualty figure: each incident's merged figures (``document_id`` empty), then each document's report."""
    return to_frame(tabular.casualties_table(_Events(source).incidents()))


def posteriors(source: Any, incident_id: str | None = None) -> pd.DataFrame:
    """One row per hypothesis of each attribution result, most probable first per incident.

    Columns (:data:`~tripwire.interop.tabular.POSTERIOR_COLUMNS`) include the
    credible interval (``lower``, ``upper``), its ICD 203 ``words`` and the
    analytic ``confidence``. ``incident_id`` keeps one incident's rows.
    """
    events = _Events(source)
    results = events.results()
    if events.is_store or events.is_brief:
        order = [i.id for i in events.incidents()]
        chosen: Sequence[AttributionResult] = [results[i] for i in order if i in results]
    else:
        chosen = list(results.values())
    if incident_id is not None:
        chosen = [r for r in chosen if r.incident_id == incident_id]
    return to_frame(tabular.posteriors_table(chosen))


def evaluations(source: Any) -> pd.DataFrame:
    """The current red-line picture: the latest evaluation of each (rule, incident) (:data:`~tripwire.interop.tabular.EVALUATION_COLUMNS`)."""
    return to_frame(tabular.evaluations_table(_Events(source).evaluations(latest=True)))


def history(source: Any, *, rule_id: str | None = None, incident_id: str | None = None) -> pd.DataFrame:
    """Every recorded evaluation, oldest first: how each red line's status moved (``previous_status`` -> ``status``)."""
    rows = _Events(source).evaluations(latest=False)
    rows = [e for e in rows if (rule_id is None or e.rule_id == rule_id) and (incident_id is None or e.incident_id == incident_id)]
    return to_frame(tabular.evaluations_table(rows))


def html_table(frame: pd.DataFrame, *, caption: str | None = None, max_rows: int = 30) -> str:
    """A DataFrame as the HTML a notebook shows (``_repr_html_`` of the result objects); empty cells for missing values."""
    table = frame.to_html(index=False, na_rep="", max_rows=max_rows, float_format=lambda x: f"{x:.3f}", border=0)
    if caption:
        table = table.replace(">", f"><caption>{_escape(caption)}</caption>", 1) if table.startswith("<table") else table
    return table


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
