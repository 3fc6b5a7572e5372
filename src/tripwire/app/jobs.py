"""The jobs that compose the stages: brief, extract stored documents, attribute, check, and the incident context.

Every entry point calls these: the CLI commands, the REST API and the Python
API. There is one definition of the context an incident is attributed in
(:func:`attribution_context`): every live incident and every action in the
store, indexed in date order, an undated incident counting as the earliest.
So ``tripwire brief``, ``attribute``, ``check``, ``GET
/api/v1/incidents/{id}/attribution`` and :func:`attribute_stored` give one
incident the same posterior.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Action, AttributionResult, Evaluation, Extraction, Incident, RedLineStatement
from ..redlines.alerts import report_to_stderr
from ..settings import Settings
from .context import Context

if TYPE_CHECKING:
    from ..attribute import Attributor
    from ..attribute.batch import Attributed
    from ..attribute.context import ContextIndex
    from ..extract import Merged
    from ..ingest import IngestReport
    from ..redlines.alerts import Alert, AlertSink, DeliveryFailure
    from ..redlines.recording import AttributorLike
    from ..redlines.rules import RedLineRule


def example_sources() -> list[Path]:
    """The bundled example articles and feeds, in a stable order."""
    root = Path(str(resources.files("tripwire") / "examples"))
    files = sorted((root / "articles").iterdir()) + sorted((root / "feeds").iterdir())
    return [p for p in files if p.is_file() and not p.name.startswith(".")]


# -- extract and merge -------------------------------------------------------------


def extract_documents(ctx: Context, *, only_new: bool = False, workers: int | None = None, chunk_size: int = 64,
                      min_parallel: int | None = None) -> list[Extraction]:
    """Extract the stored articles (all, or ``only_new``: those without an extraction), oldest first, saving as workers return.

    Extractions are saved ``store_batch_size`` per transaction while the
    workers go on: a crash loses at most the batch in flight, and running
    again replaces every saved extraction, so nothing is stored twice. A
    batch the store refuses is saved again one extraction per transaction,
    and the first extraction refused on its own raises its
    :class:`~tripwire.errors.StoreError` (everything before it is saved).
    Returns the extractions in document order. ``workers``, ``chunk_size``
    and ``min_parallel`` are those of :func:`tripwire.extract.iter_extractions`;
    with the ``dask_scheduler`` setting the chunks run as Dask tasks.
    """
    from ..extract import iter_extractions
    from ..extract.batch import PARALLEL_THRESHOLD
    from ..batching import BatchWriter, batch_size

    ids = ctx.store.article_ids(only_new=only_new)  # the texts are read a page at a time, as the workers take them
    out: list[Extraction] = []

    def save(batch: Sequence[Extraction]) -> list[None]:
        ctx.store.save_extractions(batch)
        return [None] * len(batch)

    def refused(_extraction: Extraction, exc: Exception) -> None:
        raise exc

    writer: BatchWriter[Extraction, None] = BatchWriter(save, size=batch_size(ctx.settings), done=lambda _e, _r: None, refused=refused)
    with writer:
        for chunk in iter_extractions(ctx.store.documents_of(ids), ctx.kb, count=len(ids), workers=workers, chunk_size=chunk_size,
                                      min_parallel=PARALLEL_THRESHOLD if min_parallel is None else min_parallel, scheduler=ctx.scheduler()):
            writer.extend(chunk)
            out.extend(chunk)
    return out


def merge_and_save(ctx: Context, extractions: Sequence[Extraction] | None = None) -> Merged:
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
    from ..extract import merge

    store = ctx.store
    if extractions is None:
        extractions = store.extractions_of(store.article_ids())
    before = store.live_incident_documents()
    rows = store.dataset_incidents(row_windows(i for e in extractions for i in e.incidents))
    merged = merge(extractions, ctx.kb, rows=rows)
    absorbed = {d for i in merged.incidents for d in i.documents}
    back = [row for row in rows if not absorbed.intersection(row.documents) and row.id not in before]  # no longer fits its article event
    store.save_events([*back, *merged.incidents], merged.actions)
    store.supersede_incidents(successors(before, merged.incidents))
    store.save_provisional_actors([p for e in extractions for p in e.provisional_actors])
    return merged


def extract_stored(ctx: Context, *, only_new: bool = False) -> Merged:
    """Extract stored articles (see :func:`extract_documents`) and fold every stored extraction into the store's incidents.

    What ``tripwire extract --stored`` runs, so ``ingest`` then ``check`` works without ``brief``.
    """
    extract_documents(ctx, only_new=only_new)
    return merge_and_save(ctx)


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


# -- attribution ------------------------------------------------------------------


def attributor(ctx: Context) -> Attributor:
    """The attribution engine over the context's knowledge base and settings."""
    from ..attribute import Attributor

    return Attributor(ctx.kb, settings=ctx.settings)


def attribution_context(engine: AttributorLike, incidents: Sequence[Incident], actions: Sequence[Action]) -> ContextIndex:
    """THE context an incident is attributed in: ``incidents`` and ``actions`` indexed in date order.

    An incident sees the incidents and actions dated up to its own date
    (never itself); an undated incident counts as the earliest, so it sees
    only the other undated ones. Every job passes the whole live store here
    (see :func:`store_events`), so the answer does not depend on who asks.
    """
    return engine.context_index(incidents, actions, undated_sees_dated=False)


def store_events(ctx: Context) -> tuple[list[Incident], list[Action]]:
    """Every live incident and every action in the store, in the store's order (by date, undated last).

    Their equal parts are shared as they are read (see :func:`~.compact.share_equal_parts`):
    a whole store's incidents take a fraction of the memory, here and in the worker processes they are sent to.
    """
    from .compact import Sharing

    sharing = Sharing()
    return [sharing.share(i) for i in ctx.store.iter_incidents()], [sharing.share(a) for a in ctx.store.iter_actions()]


def attribute_incidents(ctx: Context, incidents: Sequence[Incident], actions: Sequence[Action], *,
                        only: Iterable[str] | None = None, seed: int | None = None) -> dict[str, AttributionResult]:
    """Attribute each incident (or those with ids in ``only``) in the context of ``incidents`` and ``actions``."""
    return _attribute(ctx, incidents, actions, only=only, seed=seed).results


def _attribute(ctx: Context, incidents: Sequence[Incident], actions: Sequence[Action], *, only: Iterable[str] | None = None,
               seed: int | None = None, engine: AttributorLike | None = None, collect: bool = False,
               finish: Callable[[Incident, AttributionResult], Any] | None = None) -> Attributed:
    """The one attribution loop of every job: ``engine`` (default :func:`attributor`) in :func:`attribution_context`, here or on Dask."""
    from ..attribute import attribute_many
    from ..extract.batch import default_workers

    workers = default_workers() if engine is None else 1  # worker processes for the real engine; an injected one stays here
    engine = engine if engine is not None else attributor(ctx)
    index = attribution_context(engine, incidents, actions)
    rng = int(ctx.settings.seed if seed is None else seed)
    wanted = None if only is None else set(only)
    targets = [i for i in incidents if wanted is None or i.id in wanted]
    scheduler = ctx.scheduler() if len(targets) > 1 else None
    return attribute_many(engine, targets, index, rng=rng, scheduler=scheduler, collect=collect, workers=workers, finish=finish)


def attribute_stored(ctx: Context, incident_id: str, *, seed: int | None = None) -> AttributionResult:
    """Attribute one stored incident in the context every job uses; raises NotFound for an unknown (or superseded) id."""
    incident = ctx.store.get_incident(incident_id)
    incidents, actions = store_events(ctx)
    if all(i.id != incident.id for i in incidents):  # superseded: attribute it beside the live ones all the same
        incidents.append(incident)
    return attribute_incidents(ctx, incidents, actions, only=[incident.id], seed=seed)[incident.id]


def attribute_extraction(ctx: Context, extraction: Extraction, *, seed: int | None = None) -> list[AttributionResult]:
    """Attribute the incidents of one extracted article, its own incidents and actions as context (nothing is stored)."""
    incidents = list(extraction.incidents)
    results = attribute_incidents(ctx, incidents, list(extraction.actions), seed=seed)
    return [results[i.id] for i in incidents]


# -- red lines --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRun:
    """Everything one ``tripwire check`` produced."""

    evaluations: tuple[Evaluation, ...]
    incidents: tuple[Incident, ...]
    #: incident id -> attribution (from the attributor: a :class:`~.compact.PackedResults`, each unpacked when read)
    results: Mapping[str, AttributionResult]
    alerts: tuple[Alert, ...]
    failures: tuple[DeliveryFailure, ...]
    #: alerts sent to every durable sink and marked delivered in this run (this run's and older pending ones)
    delivered: tuple[Alert, ...]
    #: incidents without an attribution, with the reason
    unattributed: tuple[tuple[str, str], ...]
    attribution_source: str
    recorded: bool


def check(
    ctx: Context,
    rules: Sequence[RedLineRule] | None = None,
    *,
    use_attributor: bool = True,
    engine: AttributorLike | None = None,
    record: bool = True,
    sinks: Sequence[AlertSink] = (),
    now: dt.datetime | None = None,
    on_failure: Callable[[DeliveryFailure], None] | None = report_to_stderr,
) -> CheckRun:
    """Attribute every live incident (or read its stored attribution) and check it against ``rules``; record and alert when ``record``.

    ``rules`` default to the context's (the ``rules_file`` setting or the
    bundled examples); ``engine`` to :func:`attributor` (the real engine);
    ``use_attributor=False`` reads the attributions stored for each incident
    instead. Delivery failures go to ``on_failure`` (default: one line on stderr; None: nowhere but the result).
    """
    from ..batching import batch_size, batches
    from ..redlines import check as check_rules
    from ..redlines.alerts import alerts_for, dispatch
    from ..redlines.check import evaluate
    from ..redlines.recording import deliver_pending, durable
    from .compact import PackedResults, Sharing, unpack_payload

    rules = list(ctx.rules() if rules is None else rules)
    now = now or dt.datetime.now(dt.timezone.utc)
    incidents, actions = store_events(ctx)
    fraction = float(ctx.settings.watch_fraction)
    results: Mapping[str, AttributionResult]
    missing: list[tuple[str, str]] = []
    payloads: list[tuple[str, str, Any]] = []
    if use_attributor:
        # each result is packed, serialised for the store and checked against every rule where it was computed
        done = _attribute(ctx, incidents, actions, engine=engine, collect=True, finish=functools.partial(_checked, rules, now, fraction, record))
        missing.extend(done.failures)
        results = PackedResults((iid, packed) for iid, (packed, _, _) in done.finished.items())
        payloads = [payload for _, payload, _ in done.finished.values() if payload is not None]
        checked = {iid: evs for iid, (_, _, evs) in done.finished.items()}
        del done
        # rule-major, as the rules check orders them; an incident the engine refused is checked without an attribution
        unrecorded = [checked[inc.id][k] if inc.id in checked else evaluate(rule, inc, None, now=now, watch_fraction=fraction)
                      for k, rule in enumerate(rules) for inc in incidents]
        del checked
        source = "attributor"
    else:
        stored = ctx.store.latest_attributions()
        for inc in incidents:
            if inc.id not in stored:
                missing.append((inc.id, "no attribution stored"))
        results = {inc.id: stored[inc.id] for inc in incidents if inc.id in stored}
        unrecorded = check_rules(rules, incidents, results, now=now, settings=ctx.settings)
        source = "store"
    failures: list[DeliveryFailure] = []
    raised: list[Alert] = []
    delivered: list[Alert] = []
    if record:
        size = batch_size(ctx.settings)
        for chunk in batches(payloads, size):
            ctx.store.save_attribution_payloads([unpack_payload(p) for p in chunk])
        del payloads

        def collect(failure: DeliveryFailure) -> None:
            failures.append(failure)
            if on_failure is not None:
                on_failure(failure)

        sharing = Sharing()
        evaluations = [sharing.share(ev) for chunk in batches(unrecorded, size) for ev in ctx.store.record_evaluations(chunk)]
        del unrecorded
        raised = alerts_for(evaluations)
        dispatch(raised, [s for s in sinks if not durable(s)], on_failure=collect)
        delivered = list(deliver_pending(ctx.store, sinks, on_failure=collect).delivered)
    else:
        evaluations = unrecorded
    return CheckRun(
        evaluations=tuple(evaluations),
        incidents=tuple(incidents),
        results=results,
        alerts=tuple(raised),
        failures=tuple(failures),
        delivered=tuple(delivered),
        unattributed=tuple(missing),
        attribution_source=source,
        recorded=record,
    )


def _checked(rules: Sequence[RedLineRule], now: dt.datetime, watch_fraction: float, save: bool, incident: Incident,
             result: AttributionResult) -> tuple[bytes, tuple[str, str, Any] | None, tuple[Evaluation, ...]]:
    """What :func:`check` keeps of one attribution, made in the worker that computed it: packed, its store payload, its evaluation per rule."""
    from ..redlines.check import evaluate
    from ..store.codec import attribution_payload
    from .compact import pack, pack_payload

    return (pack(result), pack_payload(attribution_payload(result)) if save else None,
            tuple(evaluate(rule, incident, result, now=now, watch_fraction=watch_fraction) for rule in rules))


# -- the main job -----------------------------------------------------------------


@dataclass(frozen=True)
class BriefResult:
    """What one run of the main job produced."""

    ingested: IngestReport
    incidents: tuple[Incident, ...]
    actions: tuple[Action, ...]
    redlines: tuple[RedLineStatement, ...]
    #: incident id -> attribution, each kept packed and unpacked when read (see :class:`~.compact.PackedResults`)
    results: Mapping[str, AttributionResult]
    evaluations: tuple[Evaluation, ...]
    report_path: Path | None

    def _repr_html_(self) -> str:
        """The incidents of the run as a table in a notebook (see :func:`tripwire.frames.incidents`)."""
        from ..frames import html_table, incidents

        return html_table(incidents(self), caption=f"{len(self.incidents)} incidents, {len(self.actions)} actions, {len(self.evaluations)} evaluations")


def brief(
    ctx: Context,
    *,
    sources: Sequence[str | Path] = (),
    rules: Sequence[RedLineRule] | None = None,
    rules_path: str | Path | None = None,
    out_dir: str | Path | None = None,
    now: dt.datetime | None = None,
    progress: bool = False,
) -> BriefResult:
    """Ingest ``sources`` (default: the bundled examples), extract, merge, attribute, check and write the HTML report.

    ``rules`` (or those of ``rules_path``, else the context's) are checked;
    :func:`run_brief` reads them before it opens the store, so a bad rule
    file leaves no database behind.
    """
    from ..ingest import ingest
    from .outputs import write_report

    rules = ctx.rules(rules_path) if rules is None else rules
    ctx.store.sync_knowledge(ctx.kb)
    report = ingest(ctx.store, list(sources) or example_sources(), settings=ctx.settings, progress=progress)
    merged = merge_and_save(ctx, extract_documents(ctx))
    actions, redlines = merged.actions, merged.redlines
    del merged  # the check reads the live incidents back from the store: the merged ones are not held through it
    run = check(ctx, rules, now=now or dt.datetime.now(dt.timezone.utc))
    path = write_report(ctx, out_dir or ctx.settings.report_dir, rules=rules, run=run)
    return BriefResult(
        ingested=report,
        incidents=run.incidents,
        actions=tuple(actions),
        redlines=tuple(redlines),
        results=run.results,
        evaluations=run.evaluations,
        report_path=path,
    )


def run_brief(settings: Settings | None = None, *, rules_path: str | Path | None = None, **options: Any) -> BriefResult:
    """:func:`brief` in a context opened on ``settings`` (``options``: those of :func:`brief`), the rules read first."""
    from .context import load_knowledge, load_rule_set, open_context

    settings = settings or Settings()
    kb = load_knowledge(settings)
    rules = load_rule_set(settings, kb, rules_path)  # fail on a bad rule file before touching the store
    with open_context(settings, kb=kb) as ctx:
        return brief(ctx, rules=rules, **options)


__all__ = [
    "BriefResult",
    "run_brief",
    "CheckRun",
    "attribute_extraction",
    "attribute_incidents",
    "attribute_stored",
    "attribution_context",
    "attributor",
    "brief",
    "check",
    "example_sources",
    "extract_documents",
    "extract_stored",
    "merge_and_save",
    "row_windows",
    "store_events",
    "successors",
]
