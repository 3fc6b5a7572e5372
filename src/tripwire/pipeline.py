"""The main job, end to end: ingest -> extract -> merge -> attribute -> check red lines -> report.

:func:`run_brief` is what ``tripwire brief`` calls. With no sources it ingests
the bundled example articles and feed into the configured store (embedded
SQLite by default), so a fresh install shows the whole chain on day one.
Every step is also available on its own (``tripwire ingest``, ``extract``,
``attribute``, ``check``, ``report``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .knowledge import KnowledgeBase
from .model import Action, AttributionResult, Document, Evaluation, Extraction, Incident, RedLineStatement
from .settings import Settings

if TYPE_CHECKING:
    from .extract import Merged
    from .extract.evaluation import CaseScore
    from .ingest import IngestReport
    from .store import Store


@dataclass(frozen=True)
class BriefResult:
    """What one run of the main job produced."""

    ingested: IngestReport
    incidents: tuple[Incident, ...]
    actions: tuple[Action, ...]
    redlines: tuple[RedLineStatement, ...]
    results: dict[str, AttributionResult]
    evaluations: tuple[Evaluation, ...]
    report_path: Path | None

    def _repr_html_(self) -> str:
        """The incidents of the run as a table in a notebook (see :func:`tripwire.frames.incidents`)."""
        from .frames import html_table, incidents

        return html_table(incidents(self), caption=f"{len(self.incidents)} incidents, {len(self.actions)} actions, {len(self.evaluations)} evaluations")


def example_sources() -> list[Path]:
    """The bundled example articles and feeds, in a stable order."""
    root = Path(str(resources.files("tripwire") / "examples"))
    files = sorted((root / "articles").iterdir()) + sorted((root / "feeds").iterdir())
    return [p for p in files if p.is_file() and not p.name.startswith(".")]


def _article_documents(store: Store) -> list[Document]:
    """Every stored article and feed item, oldest publication first.

    Dataset rows (ACLED/UCDP/GDELT imports) are left out: they became incidents at import time.
    """
    from .store import paged

    documents: list[Document] = list(paged(store.list_documents))
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    articles = [d for d in documents if d.kind != "dataset-row"]
    articles.sort(key=lambda d: (d.published or epoch, d.id))
    return articles


def extract_all(store: Store, *, knowledge_dir: str | None = None, batch_size: int = 200) -> list[Extraction]:
    """Extract every stored article (oldest publication first, on every core), saved in batches as the workers return."""
    from .extract import extract_and_save

    return extract_and_save(store, _article_documents(store), knowledge_dir=knowledge_dir, batch_size=batch_size)


def merge_and_save(store: Store, extractions: Sequence[Extraction] | None = None, kb: KnowledgeBase | None = None) -> Merged:
    """Merge extractions across documents into one incident/action per event and upsert them.

    With no ``extractions``, the stored extraction of every stored article is
    used, so adding one article (e.g. through the API) folds its reports into
    the incidents other articles already describe instead of duplicating them.
    Stored incidents the new merge replaced are marked superseded (pointing to
    their successor), and the provisional actors the extractions named are
    recorded for ``tripwire unresolved``. Imported dataset rows (ACLED, UCDP,
    GDELT) dated near an article event join it by the merge rules; the
    imported incident it absorbs is marked superseded, and one no longer
    absorbed is live again.
    """
    from .errors import NotFound
    from .extract import merge

    if extractions is None:
        extractions = []
        for document in _article_documents(store):
            try:
                extractions.append(store.get_extraction(document.id))
            except NotFound:
                continue  # stored but not extracted yet
    before = store.live_incident_documents()
    rows = store.dataset_incidents(row_windows(i for e in extractions for i in e.incidents))
    merged = merge(extractions, kb, rows=rows)
    absorbed = {d for i in merged.incidents for d in i.documents}
    for row in rows:
        if not absorbed.intersection(row.documents) and row.id not in before:
            store.save_incident(row)  # its article event no longer fits it: back on the board
    for incident in merged.incidents:
        store.save_incident(incident)
    for action in merged.actions:
        store.save_action(action)
    store.supersede_incidents(successors(before, merged.incidents))
    store.save_provisional_actors([p for e in extractions for p in e.provisional_actors])
    return merged


def row_windows(incidents: Iterable[Incident]) -> list[tuple[dt.date, dt.date]]:
    """The date ranges in which a dataset row may fit one of ``incidents``: a week either side of a day, or its month or year."""
    out: set[tuple[dt.date, dt.date]] = set()
    for incident in incidents:
        d = incident.date
        if d is None:
            continue
        if incident.date_precision == "year":
            out.add((d.replace(month=1, day=1), d.replace(month=12, day=31)))
        elif incident.date_precision == "month":
            first = d.replace(day=1)
            out.add((first - dt.timedelta(days=7), (first + dt.timedelta(days=32)).replace(day=1) + dt.timedelta(days=6)))
        else:
            out.add((d - dt.timedelta(days=7), d + dt.timedelta(days=7)))
    return sorted(out)


def successors(before: dict[str, set[str]], incidents: Sequence[Incident]) -> dict[str, str]:
    """For each stored incident the new merge no longer has, the new incident that shares most of its documents.

    A stored incident sharing no document with the new ones (a dataset row
    imported as an incident, an event of documents not re-merged) is left as it is.
    """
    live = {i.id for i in incidents}
    out: dict[str, str] = {}
    for old, docs in before.items():
        if old in live or not docs:
            continue
        best = max(incidents, key=lambda i: (len(docs & set(i.documents)), i.id), default=None)
        if best is not None and docs & set(best.documents):
            out[old] = best.id
    return out


def attribute_all(
    incidents: Sequence[Incident], actions: Sequence[Action], kb: KnowledgeBase, settings: Settings
) -> dict[str, AttributionResult]:
    """Attribute each incident, giving it the earlier incidents and actions as context (:mod:`tripwire.attribute.context`)."""
    from .attribute import Attributor

    attributor = Attributor(kb, settings=settings)
    # built once in date order: each incident's earlier incidents and trigger actions are a window of it, not a rescan;
    # an undated incident counts as the earliest, so it has only the other undated ones as context
    context = attributor.context_index(incidents, actions, undated_sees_dated=False)
    return {incident.id: attributor.attribute(incident, context=context, rng=settings.seed) for incident in incidents}


@dataclass(frozen=True)
class ExtractionEvaluation:
    """What ``tripwire evaluate-extraction`` measured on a labelled corpus."""

    corpus: str
    cases: tuple[CaseScore, ...]
    metrics: dict[str, dict[str, float | int | None]]
    articles: int
    seconds: float
    extract_seconds: float

    @property
    def articles_per_second(self) -> float:
        """Articles through ingest, extraction and merging per second of wall time (whole run)."""
        return self.articles / self.seconds if self.seconds > 0 else 0.0


def evaluate_extraction(corpus: str | Path, settings: Settings, *, workdir: str | Path | None = None) -> ExtractionEvaluation:
    """Run ingest -> extract -> merge on every labelled case of ``corpus`` and score it.

    Each case gets a fresh SQLite store (in ``workdir``, default a temporary
    folder), so cases never see each other's articles; the path from files to
    stored incidents is exactly the one ``tripwire brief`` takes.
    """
    import tempfile
    import time

    from .extract.evaluation import load_corpus, score_case, summarise
    from .ingest import ingest
    from .store import Store, paged

    kb = KnowledgeBase.load(settings.knowledge_dir or None)
    cases = load_corpus(corpus)
    scores: list[CaseScore] = []
    t0 = time.perf_counter()
    extract_time = 0.0
    with tempfile.TemporaryDirectory(prefix="tripwire-eval-", dir=workdir) as tmp:
        for n, case in enumerate(cases):
            started = time.perf_counter()
            case_settings = settings.replace(database_url=f"sqlite:///{Path(tmp) / f'case-{n}.db'}")
            with Store.from_settings(case_settings) as store:
                ingest(store, list(case.articles), settings=case_settings)
                t_extract = time.perf_counter()
                merged = merge_and_save(store, extract_all(store, knowledge_dir=settings.knowledge_dir or None, batch_size=settings.store_batch_size), kb)
                extract_time += time.perf_counter() - t_extract
                incidents = list(paged(store.list_incidents))
                actions = list(paged(store.list_actions))
            score = score_case(kb, case.gold, incidents, actions, merged.redlines, articles=len(case.articles))
            score.seconds = time.perf_counter() - started
            scores.append(score)
    elapsed = time.perf_counter() - t0
    return ExtractionEvaluation(
        corpus=str(corpus),
        cases=tuple(scores),
        metrics=summarise(scores),
        articles=sum(len(c.articles) for c in cases),
        seconds=elapsed,
        extract_seconds=extract_time,
    )


def run_brief(
    settings: Settings,
    *,
    sources: Sequence[str | Path] = (),
    rules_path: str | Path | None = None,
    out_dir: str | Path | None = None,
    now: dt.datetime | None = None,
    progress: bool = False,
) -> BriefResult:
    """Run the whole chain on ``sources`` (default: the bundled examples) and write the HTML report."""
    from .ingest import ingest
    from .redlines import check_and_record, load_rules
    from .report import write_html_report
    from .store import Store

    kb = KnowledgeBase.load(settings.knowledge_dir or None)
    rules = load_rules(rules_path)  # fail on a bad rule file before touching the store
    now = now or dt.datetime.now(dt.timezone.utc)
    with Store.from_settings(settings) as store:
        store.sync_knowledge(kb)
        report = ingest(store, list(sources) or example_sources(), settings=settings, progress=progress)
        merged = merge_and_save(store, extract_all(store, knowledge_dir=settings.knowledge_dir or None, batch_size=settings.store_batch_size), kb)
        results = attribute_all(merged.incidents, merged.actions, kb, settings)
        for result in results.values():
            store.save_attribution(result)
        evaluations = check_and_record(store, rules, merged.incidents, results, now=now, settings=settings)
        documents = store.list_documents(limit=10_000)
        history = store.evaluation_history()
        path = write_html_report(
            out_dir or settings.report_dir,
            incidents=merged.incidents,
            results=results,
            evaluations=history,
            actions=merged.actions,
            redlines=merged.redlines,
            documents=documents,
            rules=rules,
        )
    return BriefResult(
        ingested=report,
        incidents=tuple(merged.incidents),
        actions=tuple(merged.actions),
        redlines=tuple(merged.redlines),
        results=results,
        evaluations=tuple(evaluations),
        report_path=path,
    )
