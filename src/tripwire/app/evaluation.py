"""``tripwire evaluate-extraction``: ingest, extract and merge a labelled corpus, case by case, and score it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..extract.evaluation import ExtractionEvaluation
from ..settings import Settings
from .context import load_knowledge, open_context
from .jobs import extract_documents, merge_and_save

if TYPE_CHECKING:
    from ..extract.evaluation import CaseScore


def evaluate_extraction(corpus: str | Path, settings: Settings, *, workdir: str | Path | None = None) -> ExtractionEvaluation:
    """Run ingest -> extract -> merge on every labelled case of ``corpus`` and score it.

    Each case gets a fresh SQLite store (in ``workdir``, default a temporary
    folder), so cases never see each other's articles; the path from files to
    stored incidents is exactly the one ``tripwire brief`` takes.
    """
    import tempfile

    from ..extract.evaluation import load_corpus, score_case, summarise
    from ..ingest import ingest

    kb = load_knowledge(settings)
    cases = load_corpus(corpus)
    scores: list[CaseScore] = []
    t0 = time.perf_counter()
    extract_time = 0.0
    with tempfile.TemporaryDirectory(prefix="tripwire-eval-", dir=workdir) as tmp:
        for n, case in enumerate(cases):
            started = time.perf_counter()
            case_settings = settings.replace(database_url=f"sqlite:///{Path(tmp) / f'case-{n}.db'}")
            with open_context(case_settings, kb=kb) as ctx:
                ingest(ctx.store, list(case.articles), settings=case_settings)
                t_extract = time.perf_counter()
                merged = merge_and_save(ctx, extract_documents(ctx))
                extract_time += time.perf_counter() - t_extract
                incidents = list(ctx.store.iter_incidents())
                actions = list(ctx.store.iter_actions())
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


__all__ = ["ExtractionEvaluation", "evaluate_extraction"]
