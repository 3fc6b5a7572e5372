"""Flat tables of incidents, claims, actions, casualties, posteriors and evaluations, with a fixed column order.

The one definition of each table, used by CSV/Parquet export and by the
pandas frames of :mod:`tripwire.frames`; one row per thing:

* incidents (:data:`INCIDENT_COLUMNS`) - when, where, what, harm (all and
  American), the most probable perpetrator (from the attribution result when
  there is one, else the first named actor) and the most severe current
  red-line status; the full casualty list rides along as JSON so the CSV reads
  back without loss;
* claims (:data:`CLAIM_COLUMNS`) - one row per attribution statement, keyed by
  ``incident_id`` and ``index``;
* actions (:data:`ACTION_COLUMNS`);
* casualties (:data:`CASUALTY_COLUMNS`) - the incident's merged figures
  (``document_id`` empty) and each document's own report;
* posteriors (:data:`POSTERIOR_COLUMNS`) - one row per hypothesis of each
  attribution result, with its credible interval, ICD 203 words and analytic
  confidence;
* evaluations (:data:`EVALUATION_COLUMNS`) - one row per red-line evaluation.

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
from ..icd203 import icd203_phrase
from ..model import Action, AttributionResult, AttributionStatement, Casualty, Evaluation, Incident, Place, RedLineStatus, Source, Span

INCIDENT_SCHEMA = pa.schema([
    ("id", pa.string()), ("date", pa.date32()), ("date_precision", pa.string()), ("date_text", pa.string()),
    ("place_name", pa.string()), ("country", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()), ("gazetteer_id", pa.string()),
    ("attack_type", pa.string()), ("weapon", pa.string()), ("target", pa.string()),
    ("killed", pa.int64()), ("injured", pa.int64()), ("us_killed", pa.int64()), ("us_injured", pa.int64()), ("casualties", pa.string()),
    ("perpetrator", pa.string()), ("perpetrator_probability", pa.float64()), ("claims", pa.int64()), ("redline_status", pa.string()),
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

CASUALTY_SCHEMA = pa.schema([
    ("incident_id", pa.string()), ("document_id", pa.string()), ("outlet", pa.string()), ("status", pa.string()), ("count", pa.int64()),
    ("nationality", pa.string()), ("category", pa.string()), ("approximate", pa.bool_()),
])  # fmt: skip
POSTERIOR_SCHEMA = pa.schema([
    ("incident_id", pa.string()), ("rank", pa.int64()), ("perpetrator", pa.string()), ("sponsor", pa.string()), ("relation", pa.string()),
    ("prior", pa.float64()), ("probability", pa.float64()), ("lower", pa.float64()), ("upper", pa.float64()),
    ("words", pa.string()), ("confidence", pa.string()), ("method", pa.string()),
])  # fmt: skip
EVALUATION_SCHEMA = pa.schema([
    ("rule_id", pa.string()), ("incident_id", pa.string()), ("evaluated_at", pa.timestamp("us", tz="UTC")), ("status", pa.string()),
    ("previous_status", pa.string()), ("probability", pa.float64()), ("lower", pa.float64()), ("upper", pa.float64()),
    ("standard", pa.string()), ("threshold", pa.float64()), ("words", pa.string()), ("confidence", pa.string()),
])  # fmt: skip

INCIDENT_COLUMNS: tuple[str, ...] = tuple(INCIDENT_SCHEMA.names)
CASUALTY_COLUMNS: tuple[str, ...] = tuple(CASUALTY_SCHEMA.names)
POSTERIOR_COLUMNS: tuple[str, ...] = tuple(POSTERIOR_SCHEMA.names)
EVALUATION_COLUMNS: tuple[str, ...] = tuple(EVALUATION_SCHEMA.names)
CLAIM_COLUMNS: tuple[str, ...] = tuple(CLAIM_SCHEMA.names)
ACTION_COLUMNS: tuple[str, ...] = tuple(ACTION_SCHEMA.names)
#: Incident columns older exports lack; reading back does not need them (they are derived).
_ADDED_COLUMNS = ("us_killed", "us_injured", "redline_status")
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




def redline_statuses(evaluations: Iterable[Evaluation]) -> dict[str, str]:
    """Per incident, the most severe status among the latest evaluation of each rule (``evaluations`` oldest first)."""
    latest: dict[tuple[str, str], str] = {}
    for ev in evaluations:
        latest[(ev.rule_id, ev.incident_id)] = ev.status.value
    out: dict[str, str] = {}
    for (_rule, incident), status in latest.items():
        if RedLineStatus(status).rank <= RedLineStatus(out.get(incident, "clear")).rank:
            out[incident] = status
    return out


def incident_rows(incidents: Iterable[Incident], results: Mapping[str, AttributionResult] | None = None,
                  evaluations: Iterable[Evaluation] = ()) -> Iterator[dict[str, Any]]:
    """One dict per incident, keys in :data:`INCIDENT_COLUMNS` order (``redline_status`` empty when never evaluated)."""
    results = results or {}
    statuses = redline_statuses(evaluations)
    for inc in incidents:
        place = inc.place or Place(name="")
        perp, prob = top_perpetrator(inc, results.get(inc.id))
        yield {
            "id": inc.id, "date": inc.date, "date_precision": inc.date_precision, "date_text": inc.date_text,
            "place_name": place.name or None, "country": place.country, "lat": place.lat, "lon": place.lon, "gazetteer_id": place.gazetteer_id,
            "attack_type": inc.attack_type, "weapon": inc.weapon, "target": inc.target,
            "killed": inc.killed(), "injured": inc.injured(), "us_killed": inc.killed("US"), "us_injured": inc.injured("US"),
            "casualties": json.dumps([c.model_dump(mode="json") for c in inc.casualties], separators=(",", ":")) if inc.casualties else None,
            "perpetrator": perp, "perpetrator_probability": prob, "claims": len(inc.attributions), "redline_status": statuses.get(inc.id),
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


def casualty_rows(incidents: Iterable[Incident]) -> Iterator[dict[str, Any]]:
    """One dict per casualty figure (the merged ones first, then each document's report), keys in :data:`CASUALTY_COLUMNS` order."""
    for inc in incidents:
        reports = [(None, None, inc.casualties)] + [(r.document_id, r.source.outlet, r.casualties) for r in inc.casualty_reports]
        for doc, outlet, casualties in reports:
            for c in casualties:
                yield {"incident_id": inc.id, "document_id": doc, "outlet": outlet, "status": c.status, "count": c.count,
                       "nationality": c.nationality, "category": c.category, "approximate": c.approximate}  # fmt: skip


def posterior_rows(results: Iterable[AttributionResult]) -> Iterator[dict[str, Any]]:
    """One dict per hypothesis of each result, most probable first (``rank`` 1), keys in :data:`POSTERIOR_COLUMNS` order."""
    for result in results:
        ranked = sorted(result.posterior, key=lambda e: (-e.probability, e.hypothesis.perpetrator, e.hypothesis.sponsor or "", e.hypothesis.relation))
        for n, entry in enumerate(ranked, 1):
            h, interval = entry.hypothesis, entry.interval
            yield {
                "incident_id": result.incident_id, "rank": n, "perpetrator": h.perpetrator, "sponsor": h.sponsor, "relation": h.relation,
                "prior": entry.prior, "probability": entry.probability,
                "lower": interval[0] if interval else None, "upper": interval[1] if interval else None,
                "words": icd203_phrase(entry.probability), "confidence": entry.confidence.value if entry.confidence else None, "method": result.method,
            }  # fmt: skip


def evaluation_rows(evaluations: Iterable[Evaluation]) -> Iterator[dict[str, Any]]:
    """One dict per red-line evaluation, keys in :data:`EVALUATION_COLUMNS` order."""
    for ev in evaluations:
        interval = ev.interval
        yield {
            "rule_id": ev.rule_id, "incident_id": ev.incident_id, "evaluated_at": ev.evaluated_at, "status": ev.status.value,
            "previous_status": ev.previous_status.value if ev.previous_status else None, "probability": ev.probability,
            "lower": interval[0] if interval else None, "upper": interval[1] if interval else None, "standard": ev.standard,
            "threshold": ev.threshold, "words": ev.words, "confidence": ev.confidence.value if ev.confidence else None,
        }  # fmt: skip


def to_arrow(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """A pyarrow table of ``rows`` with exactly ``schema``'s columns and types."""
    rows = list(rows)
    return pa.Table.from_pydict({name: [r[name] for r in rows] for name in schema.names}, schema=schema)


def incidents_table(incidents: Iterable[Incident], results: Mapping[str, AttributionResult] | None = None,
                    evaluations: Iterable[Evaluation] = ()) -> pa.Table:
    """The incidents table as pyarrow."""
    return to_arrow(incident_rows(incidents, results, evaluations), INCIDENT_SCHEMA)


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


def casualties_table(incidents: Iterable[Incident]) -> pa.Table:
    """The casualties table as pyarrow."""
    return to_arrow(casualty_rows(incidents), CASUALTY_SCHEMA)


def posteriors_table(results: Iterable[AttributionResult]) -> pa.Table:
    """The posteriors table as pyarrow."""
    return to_arrow(posterior_rows(results), POSTERIOR_SCHEMA)


def evaluations_table(evaluations: Iterable[Evaluation]) -> pa.Table:
    """The evaluations table as pyarrow."""
    return to_arrow(evaluation_rows(evaluations), EVALUATION_SCHEMA)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
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
    was exported; the posteriors table holds it).
    """
    statements = _claims_by_incident(claims) if claims else {}
    out = []
    for line, row in _read(path, [c for c in INCIDENT_COLUMNS if c not in _ADDED_COLUMNS]):
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
