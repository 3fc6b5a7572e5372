"""Ingest + extract + save throughput, in articles per second, on generated short articles.

    python bench/ingest_extract.py [--quick] [--articles N] [--per-row] [--batch-size B]

Writes N short articles (Markdown with front matter, about 120 words each,
varied places, weapons, casualties, claims and denials) to a temporary
folder, then times the whole path ``tripwire brief`` takes: ``ingest`` into a
fresh SQLite store (documents written ``store_batch_size`` per transaction)
followed by ``tripwire.app.jobs.extract_documents`` (worker processes on every core, each batch
of extractions saved in one transaction as the workers return it).

Printed beside it, from the same run:
- where the time went: seconds inside store writes, in extraction, and the
  serial extraction cost per article (the bound extraction puts on the rate:
  cores / that cost);
- the I/O floor: reading and content-hashing the same files and nothing
  else, the least any ingest can cost; the result is printed as a ratio of it;
- the target: 1,000 articles/s on 2 cores (issue 11);
- with ``--per-row``, the same corpus again on the old call pattern (a
  transaction per document and per extra place, then every extraction saved
  one by one after all extraction ends), as the before figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from tripwire.knowledge import KnowledgeBase
from tripwire.model import content_hash
from tripwire.settings import Settings

PLACES = ["K-1 Air Base", "Camp Taji", "Al Asad Air Base", "Erbil International Airport", "Baghdad's Green Zone", "Balad Air Base", "Baghdad International Airport"]
ACTORS = ["Kataib Hezbollah", "Asaib Ahl al-Haq", "Harakat al-Nujaba", "an Iranian-backed militia", "Islamic State"]
FRONTS = ["Saraya Awliya al-Dam", "Usbat al-Thaireen"]
WEAPONS = ["rockets", "107mm rockets", "Katyusha rockets", "an explosive-laden drone", "mortar rounds", "a roadside bomb"]
NATIONALITIES = [("American", "contractor"), ("American", "service member"), ("Iraqi", "soldier"), ("British", "soldier")]
NUMBER_WORDS = ["one", "two", "three", "four", "five", "six"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article(i: int, rng: np.random.Generator) -> str:
    """One realistic article built from varied facts (written for this benchmark)."""
    published = dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
    place = PLACES[rng.integers(len(PLACES))]
    weapon = WEAPONS[rng.integers(len(WEAPONS))]
    actor = ACTORS[rng.integers(len(ACTORS))]
    front = FRONTS[rng.integers(len(FRONTS))]
    nationality, category = NATIONALITIES[rng.integers(len(NATIONALITIES))]
    killed = NUMBER_WORDS[rng.integers(len(NUMBER_WORDS))]
    injured = int(rng.integers(0, 15))
    day = WEEKDAYS[(published.weekday() - int(rng.integers(1, 3))) % 7]
    paragraphs = [
        f"{weapon[0].upper() + weapon[1:]} struck {place} on {day} night, killing {killed} {nationality} {category}s and wounding {injured} other people, officials said.",
        f"No group immediately claimed responsibility. US officials said {actor} was suspected, but they did not present evidence.",
        f"A little-known group calling itself {front} later claimed the attack in a statement on Telegram. Iran's foreign ministry denied any involvement.",
        f"Iraqi security forces said they found the launch site a few kilometres from the base. Report number {i}.",
        "The attack came days after US airstrikes on militia weapons depots, which the militias vowed to avenge.",
    ]
    front_matter = f"---\ntitle: Attack on {place} (report {i})\noutlet: Tripwire Example Desk\npublished: {published.isoformat()}\n---\n\n"
    return front_matter + "\n\n".join(paragraphs) + "\n"


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the extraction workers), user and system."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _Timed:
    """Wraps store write methods to add up the seconds spent inside them (and count the calls)."""

    def __init__(self, store, names: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
        self.seconds = 0.0
        self.calls = 0
        for name in names:
            setattr(store, name, self._wrap(getattr(store, name)))

    def _wrap(self, method):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        return timed


def run_batched(folder: Path, db: Path, batch_size: int) -> dict[str, float]:
    """The path ``tripwire brief`` takes: batched ingest, then extraction saved in batches as workers return."""
    from tripwire.app.context import open_context
    from tripwire.app.jobs import extract_documents
    from tripwire.ingest import ingest

    settings = Settings({"database_url": f"sqlite:///{db}", "progress": False, "store_batch_size": batch_size}, environ={})
    cpu = _cpu_seconds()
    start = time.perf_counter()
    with open_context(settings) as ctx:
        store = ctx.store
        writes = _Timed(store, ("add_documents", "save_extractions"))
        report = ingest(store, [folder], settings=settings)
        t_ingest = time.perf_counter() - start
        extractions = extract_documents(ctx)
        stored = store.count_documents()
    total = time.perf_counter() - start
    assert stored == len(report.added) == len(extractions), "every article stored and extracted once"
    return {"total": total, "cpu": _cpu_seconds() - cpu, "ingest": t_ingest, "store": writes.seconds, "transactions": writes.calls,
            "incidents": sum(len(e.incidents) for e in extractions), "failed": len(report.failed)}


def run_per_row(folder: Path, db: Path) -> dict[str, float]:
    """The old call pattern on the same code: a transaction per document and per extra place, saves after all extraction."""
    from tripwire.extract import extract_many
    from tripwire.ingest.ingest import expand_sources
    from tripwire.ingest.loading import load_path
    from tripwire.knowledge import KnowledgeBase
    from tripwire.store import Store

    settings = Settings({"database_url": f"sqlite:///{db}", "progress": False}, environ={})
    cpu = _cpu_seconds()
    start = time.perf_counter()
    with Store.from_settings(settings) as store:
        writes = _Timed(store, ("add_document", "add_location", "save_extraction"))
        units, _failed = expand_sources([folder], settings=settings)
        for unit in units:
            for item in load_path(unit, settings=settings):
                store.add_document(item.document)
                for place in item.also_at:
                    store.add_location(item.document.id, place)
        t_ingest = time.perf_counter() - start
        extractions = extract_many(list(store.iter_documents()), KnowledgeBase.load())
        for extraction in extractions:
            store.save_extraction(extraction)
    total = time.perf_counter() - start
    return {"total": total, "cpu": _cpu_seconds() - cpu, "ingest": t_ingest, "store": writes.seconds, "transactions": writes.calls,
            "incidents": sum(len(e.incidents) for e in extractions), "failed": 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--per-row", action="store_true", help="also time the old per-row call pattern on the same corpus")
    parser.add_argument("--batch-size", type=int, default=Settings(environ={}).store_batch_size)
    args = parser.parse_args()
    n = args.articles or (200 if args.quick else 2000)
    rng = np.random.default_rng(20200105)

    from tripwire.extract import extract

    kb = KnowledgeBase.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for i in range(n):
            (folder / f"article-{i:06d}.md").write_text(article(i, rng), encoding="utf-8")
        files = sorted(folder.iterdir())

        start = time.perf_counter()
        for path in files:
            content_hash(path.read_bytes().decode("utf-8"))
        floor_rate = n / (time.perf_counter() - start)

        from tripwire.ingest.loading import load_path

        sample = [item.document for path in files[:200] for item in load_path(path, settings=Settings(environ={}))]
        extract(_warm_document(), kb)  # compile regexes outside the timing
        start = time.perf_counter()
        for doc in sample:
            extract(doc, kb)
        extract_ms = (time.perf_counter() - start) / len(sample) * 1000

        runs = {"batched": run_batched(folder, Path(tmp) / "batched.db", args.batch_size)}
        if args.per_row:
            runs["per-row"] = run_per_row(folder, Path(tmp) / "per-row.db")

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"articles: {n}, incidents extracted: {int(runs['batched']['incidents'])}, failed: {int(runs['batched']['failed'])}")
    print(f"cores: {cores}, store_batch_size: {args.batch_size}")
    print(f"I/O floor (read+hash only): {floor_rate:,.0f} articles/s")
    print(f"extraction alone, serial: {extract_ms:.2f} ms/article -> at most {cores * 1000 / extract_ms:,.0f} articles/s on {cores} cores")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (above {cores}: other work shared the cores; articles per CPU-second does not depend on it)")
    print("| path | ingest s | ingest+extract+save s | articles/s | CPU s | articles per CPU-s | store writes s | transactions | ratio vs I/O floor | vs 1,000/s target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in runs.items():
        rate = n / r["total"]
        print(f"| {name} | {r['ingest']:.2f} | {r['total']:.2f} | {rate:,.0f} | {r['cpu']:.1f} | {n / r['cpu']:,.0f} | {r['store']:.2f} | {int(r['transactions'])} | "
              f"{rate / floor_rate:.4f} | {rate / 1000:.2f}x {'meets' if rate >= 1000 else 'BELOW'} |")


def _warm_document():  # type: ignore[no-untyped-def]
    from tripwire.model import Document

    return Document.from_text("Rockets hit Camp Taji on Wednesday, killing two American soldiers.", location="warm-up")


if __name__ == "__main__":
    main()
