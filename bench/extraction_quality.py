"""Extraction quality on the labelled real-news corpus, with its speed, in one run.

    python bench/extraction_quality.py                 # ../shared/corpus/news
    python bench/extraction_quality.py PATH            # any corpus in the gold.json layout (docs/evaluation.md)

Runs ``tripwire.app.evaluation.evaluate_extraction`` (ingest -> extract -> merge into
a fresh SQLite store per case, exactly the path ``tripwire brief`` takes) and
prints every metric against its target, then the wall time split into
extraction+merge and store set-up/ingest, in articles per second.

Baseline in the same run: the extractor alone (``extract`` on every article,
already read, no store), warm (second pass, regexes compiled). The ratio says
how much of the end-to-end time the store and ingest add; the extraction-speed
target of 100 articles/s on 2 cores is checked on generated articles at scale
by ``ingest_extract.py``. Prints a plain note and exits 0 when the corpus is
absent (it lives outside the repository).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "corpus" / "news"


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    corpus = Path(paths[0]) if paths else DEFAULT
    if not corpus.is_dir():
        print(f"corpus not found at {corpus}: nothing to measure")
        return 0
    from tripwire.extract import extract
    from tripwire.extract.evaluation import load_corpus
    from tripwire.ingest import load_file
    from tripwire.knowledge import KnowledgeBase
    from tripwire.app.evaluation import evaluate_extraction
    from tripwire.settings import Settings

    kb = KnowledgeBase.load()
    documents = [d for case in load_corpus(corpus) for path in case.articles for d in load_file(path)]
    for d in documents:  # cold pass: compiles the lexicon's regexes
        extract(d, kb)
    t0 = time.perf_counter()
    for d in documents:
        extract(d, kb)
    bare = time.perf_counter() - t0

    result = evaluate_extraction(corpus, Settings())
    print(f"corpus: {corpus} ({len(result.cases)} cases, {result.articles} articles)")
    print(f"{'metric':<18} {'value':>7} {'hits/total':>12} {'target':>9}  met")
    for name, m in result.metrics.items():
        value = "-" if m["value"] is None else (f"{m['value']:.0f}" if name == "false_us_killed" else f"{m['value']:.2f}")
        target = "-" if m["target"] is None else (("<=" if name in {"fragments", "false_us_killed"} else ">=") + f"{m['target']:g}")
        met = "-" if m["met"] is None else ("yes" if m["met"] else "NO")
        print(f"{name:<18} {value:>7} {str(m['hits']) + '/' + str(m['total']):>12} {target:>9}  {met}")
    n = result.articles
    print()
    print(f"end to end (fresh store per case, ingest, extract, merge): {result.seconds:.2f} s, {n / result.seconds:.1f} articles/s")
    print(f"  of which extract + merge + save:                         {result.extract_seconds:.2f} s, {n / result.extract_seconds:.1f} articles/s")
    print(f"baseline, extractor alone on the same articles (warm):     {bare:.2f} s, {n / bare:.1f} articles/s")
    print(f"ratio end-to-end / extractor alone:                        {result.seconds / bare:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
