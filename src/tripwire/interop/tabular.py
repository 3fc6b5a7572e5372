"""Flat tables of incidents, claims and actions: CSV and Parquet, with a fixed column order.

Three tables, one row per thing:

* incidents (:data:`INCIDENT_COLUMNS`) - when, where, what, harm, and the most
  probable perpetrator (from the attribution result when there is one, else
  the first named actor); the full casualty list rides along as JSON so the
  CSV reads back without loss;
* claims (:data:`CLAIM_COLUMNS`) - one row per attribution statement, keyed by
  ``incident_id`` and ``index``;
* actions (:data:`ACTION_COLUMNS`).

:func:`read_incidents_csv` turns an incidents CSV (plus, optionally, its claims
CSV) back into :class:`~tripwire.model.Incident` objects.

CSV cells are written safe to open in a spreadsheet: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return (which Excel, LibreOffice
and Google Sheets would run as a formula) gets a leading apostrophe, unless it
is a plain number such as ``-44.3``; a cell that starts with an apostrophe gets
one more, so :func:`read_incidents_csv` restores every value exactly by
dropping one leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ParseError
from ..model import Action, AttributionResult, AttributionStatement, Casualty, Incident, Place, Source, Span

INCIDENT_SCHEMA = pa.schema([
    ("id", pa.string()), ("date", pa.date32()), ("date_precision", pa.string()), ("date_text", pa.string()),
    ("place_name", pa.string()), ("country", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()), ("gazetteer_id", pa.string()),
    ("attack_type", pa.string()), ("weapon", pa.string()), ("target", pa.string()),
    ("killed", pa.int64()), ("injured", pa.int64()), ("casualties", pa.string()),
    ("perpetrator", pa.string()), ("perpetrator_probability", pa.float64()), ("claims", pa.int64()),
    ("documents", pa.string()), ("summary", pa.string()),
])  # fmt: skip
CLAIM_SCHEMA = pa.schema([
    ("incident_id", pa.string()), ("index", pa.int64()), ("actor", pa.string()), ("kind", pa.string()),
    ("sponsor", pa.string()), ("relation", pa.string()), ("hedges", pa.string()), ("comparative", pa.string()),
    ("speaker", pa.string()), ("speaker_id", pa.string()), ("role", pa.string()), ("outlet", pa.string()), ("outlet_id", pa.string()),
    ("anonymous", pa.bool_()), ("via", pa.string()),
    ("evidence_document", pa.string()), ("evidence_start", pa.int64()), ("evidence_end", pa.int64()), ("evidence_text", pa.string()),
])  # fmt: skip
ACTION_SCHEMA = pa.schema([
    ("id", pa.string()), ("kind", pa.string()), ("actor", pa.string()), ("target", pa.string()),
    ("date", pa.date32()), ("date_precision", pa.string()), ("place_name", pa.string()), ("country", pa.string()),
    ("lat", pa.float64()), ("lon", pa.float64()), ("killed", pa.int64()), ("caused_by", pa.string()),
    ("documents", pa.string()), ("summary", pa.string()),
])  # fmt: skip

INCIDENT_COLUMNS: tuple[str, ...] = tuple(INCIDENT_SCHEMA.names)
CLAIM_COLUMNS: tuple[str, ...] = tuple(CLAIM_SCHEMA.names)
ACTION_COLUMNS: tuple[str, ...] = tuple(ACTION_SCHEMA.names)
#: Separator of list-valued cells (documents, hedges, caused_by).
LIST_SEP = "|"


def top_perpetrator(incident: Incident, result: AttributionResult | None) -> tuple[str, float | None]:
    """The most probable perpetrator and its probability; without a result, the first named actor."""
    if result is not None and result.posterior:
        totals: dict[str, float] = {}
        for entry in result.posterior:
            totals[entry.hypothesis.perpetrator] = totals.get(entry.hypothesis.perpetrator, 0.0) + entry.probability
        best = max(sorted(totals), key=lambda k: totals[k])
        return best, totals[best]
    for st in incident.attributions:
        if st.kind.value not in ("denied", "disputed") and st.actor != "unknown":
            return st.actor, None
    return "unknown", None


def incident_rows(incidents: Iterable[Incident], results: Mapping[str, AttributionResult] | None = None) -> Iterator[dict[str, Any]]:
    """One dict per incident, keys in :data:`INCIDENT_COLUMNS` order."""
    results = results or {}
    for inc in incidents:
        place = inc.place or Place(name="")
        perp, prob = top_perpetrator(inc, results.get(inc.id))
        yield {
            "id": inc.id, "date": inc.date, "date_precision": inc.date_precision, "date_text": inc.date_text,
            "place_name": place.name or None, "country": place.country, "lat": place.lat, "lon": place.lon, "gazetteer_id": place.gazetteer_id,
            "attack_type": inc.attack_type, "weapon": inc.weapon, "target": inc.target,
            "killed": inc.killed(), "injured": inc.injured(),
            "casualties": json.dumps([c.model_dump(mode="json") for c in inc.casualties], separators=(",", ":")) if inc.casualties else None,
            "perpetrator": perp, "perpetrator_probability": prob, "claims": len(inc.attributions),
            "documents": LIST_SEP.join(inc.documents) or None, "summary": inc.summary,
        }  # fmt: skip


def claim_rows(incidents: Iterable[Incident]) -> Iterator[dict[str, Any]]:
    """One dict per attribution statement, keys in :data:`CLAIM_COLUMNS` order."""
    for inc in incidents:
        for n, st in enumerate(inc.attributions):
            src, ev = st.asserted_by, st.evidence
            yield {
                "incident_id": inc.id, "index": n, "actor": st.actor, "kind": st.kind.value, "sponsor": st.sponsor, "relation": st.relation,
                "hedges": LIST_SEP.join(st.hedges) or None, "comparative": st.comparative,
                "speaker": src.speaker, "speaker_id": src.speaker_id, "role": src.role, "outlet": src.outlet, "outlet_id": src.outlet_id,
                "anonymous": src.anonymous, "via": src.via,
                "evidence_document": ev.document_id if ev else None, "evidence_start": ev.start if ev else None,
                "evidence_end": ev.end if ev else None, "evidence_text": ev.text if ev else None,
            }  # fmt: skip


def action_rows(actions: Iterable[Action]) -> Iterator[dict[str, Any]]:
    """One dict per action, keys in :data:`ACTION_COLUMNS` order."""
    for act in actions:
        place = act.place or Place(name="")
        yield {
            "id": act.id, "kind": act.kind, "actor": act.actor, "target": act.target, "date": act.date, "date_precision": act.date_precision,
            "place_name": place.name or None, "country": place.country, "lat": place.lat, "lon": place.lon,
            "killed": sum(c.count for c in act.casualties if c.status == "killed"), "caused_by": LIST_SEP.join(act.caused_by) or None,
            "documents": LIST_SEP.join(act.documents) or None, "summary": act.summary,
        }  # fmt: skip


def to_arrow(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """A pyarrow table of ``rows`` with exactly ``schema``'s columns and types."""
    rows = list(rows)
    return pa.Table.from_pydict({name: [r[name] for r in rows] for name in schema.names}, schema=schema)


def incidents_table(incidents: Iterable[Incident], results: Mapping[str, AttributionResult] | None = None) -> pa.Table:
    """The incidents table as pyarrow."""
    return to_arrow(incident_rows(incidents, results), INCIDENT_SCHEMA)


def claims_table(incidents: Iterable[Incident]) -> pa.Table:
    """The claims table as pyarrow."""
    return to_arrow(claim_rows(incidents), CLAIM_SCHEMA)


def actions_table(actions: Iterable[Action]) -> pa.Table:
    """The actions table as pyarrow."""
    return to_arrow(action_rows(actions), ACTION_SCHEMA)


#: First characters that make a spreadsheet evaluate a cell, and the apostrophe that escapes them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def neutralise(cell: str) -> str:
    """``cell`` as written to CSV: an apostrophe before a formula-like start (and before a leading apostrophe)."""
    if cell.startswith("'") or (cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell)):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The value :func:`neutralise` wrote ``cell`` for."""
    return cell[1:] if cell.startswith("'") else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def write_csv(path: str | Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Path:
    """Write ``rows`` as UTF-8 CSV with a header of ``columns``; empty cells for None."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # RFC 4180; a CR inside a cell is then quoted too
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in columns])
    return path


def write_parquet(path: str | Path, table: pa.Table) -> Path:
    """Write a pyarrow table as Parquet."""
    pq.write_table(table, str(path))
    return Path(path)


def companion(path: str | Path, table: str) -> Path:
    """The path of a companion table next to ``path``: ``events.csv`` -> ``events.claims.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{table}{path.suffix}")


# -- reading back -----------------------------------------------------------------


def _read(path: str | Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                raise ParseError(f"{path} is not a Tripwire table: it lacks {', '.join(missing)}")
            for row in reader:
                yield reader.line_num, {k: restore(v) if isinstance(v, str) else v for k, v in row.items()}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ParseError(f"{path}: line {reader.line_num}: {exc}") from exc


def _opt(text: str | None) -> str | None:
    return text if text not in (None, "") else None


def _claims_by_incident(path: str | Path) -> dict[str, list[AttributionStatement]]:
    found: dict[str, list[tuple[int, AttributionStatement]]] = {}
    for line, row in _read(path, CLAIM_COLUMNS):
        try:
            evidence = None
            if _opt(row["evidence_document"]):
                evidence = Span(document_id=row["evidence_document"], start=int(row["evidence_start"]), end=int(row["evidence_end"]), text=row["evidence_text"])
            source = Source(speaker=_opt(row["speaker"]), speaker_id=_opt(row["speaker_id"]), role=_opt(row["role"]), outlet=_opt(row["outlet"]),
                            outlet_id=_opt(row["outlet_id"]), anonymous=row["anonymous"] == "true", via=_opt(row["via"]))
            statement = AttributionStatement(
                actor=row["actor"], kind=row["kind"], hedges=tuple(h for h in (row["hedges"] or "").split(LIST_SEP) if h),
                sponsor=_opt(row["sponsor"]), relation=_opt(row["relation"]), comparative=_opt(row["comparative"]), asserted_by=source, evidence=evidence,
            )  # fmt: skip
            found.setdefault(row["incident_id"], []).append((int(row["index"]), statement))
        except (ValueError, TypeError) as exc:
            raise ParseError(f"{path}: line {line}: {exc}") from exc
    return {k: [s for _, s in sorted(v, key=lambda t: t[0])] for k, v in found.items()}


def read_incidents_csv(path: str | Path, claims: str | Path | None = None) -> list[Incident]:
    """Incidents from an incidents CSV written by :func:`write_csv`, with statements from ``claims``.

    What the flat table cannot hold is not restored: evidence spans of the
    incident itself and the attribution posterior (only its top perpetrator
    was exported).
    """
    statements = _claims_by_incident(claims) if claims else {}
    out = []
    for line, row in _read(path, INCIDENT_COLUMNS):
        try:
            place = None
            if _opt(row["place_name"]) or _opt(row["country"]) or _opt(row["lat"]):
                place = Place(name=row["place_name"], country=_opt(row["country"]), lat=float(row["lat"]) if _opt(row["lat"]) else None,
                              lon=float(row["lon"]) if _opt(row["lon"]) else None, gazetteer_id=_opt(row["gazetteer_id"]))
            if _opt(row["casualties"]):
                casualties = tuple(Casualty.model_validate(c) for c in json.loads(row["casualties"]))
            else:
                casualties = tuple(Casualty(status=s, count=int(row[s])) for s in ("killed", "injured") if int(row[s] or 0))
            out.append(Incident(
                id=row["id"], date=dt.date.fromisoformat(row["date"]) if _opt(row["date"]) else None, date_text=_opt(row["date_text"]),
                date_precision=_opt(row["date_precision"]), place=place, attack_type=_opt(row["attack_type"]), weapon=_opt(row["weapon"]),
                target=_opt(row["target"]), casualties=casualties, attributions=tuple(statements.get(row["id"], ())),
                documents=tuple(d for d in (row["documents"] or "").split(LIST_SEP) if d), summary=_opt(row["summary"]),
            ))  # fmt: skip
        except (ValueError, TypeError) as exc:  # includes pydantic's ValidationError and bad JSON
            raise ParseError(f"{path}: line {line}: {' '.join(str(exc).split())[:300]}") from exc
    return out
