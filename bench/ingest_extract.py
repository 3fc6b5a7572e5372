"""Ingest + extract throughput, in articles per second, on generated realistic articles.

    python bench/ingest_extract.py [--quick] [--articles N]

Writes N articles (Markdown with front matter, ~150-250 words each, varied
places, weapons, casualties, claims and denials) to a temporary folder, then
times the whole path a user runs: ``ingest`` into a fresh SQLite store followed
by ``extract_many`` (worker processes on every core, as ``tripwire brief`` does)
and ``save_extraction`` of every stored document.

Baselines, measured in the same run:
- target: 100 articles/s on 2 cores (issue: ingest+extract throughput);
- I/O floor: reading and content-hashing the same files and nothing else,
  the least any ingest can cost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--articles", type=int, default=None)
    args = parser.parse_args()
    n = args.articles or (200 if args.quick else 2000)
    rng = np.random.default_rng(20200105)

    from tripwire.extract import extract, extract_many
    from tripwire.ingest import ingest
    from tripwire.store import Store

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
        floor = time.perf_counter() - start

        settings = Settings({"database_url": f"sqlite:///{Path(tmp) / 'bench.db'}", "progress": False}, environ={})
        extract(_warm_document(), kb)  # compile regexes outside the timing
        start = time.perf_counter()
        with Store.from_settings(settings) as store:
            report = ingest(store, [folder], settings=settings)
            t_ingest = time.perf_counter() - start
            documents = [d for offset in range(0, n, 500) for d in store.list_documents(limit=500, offset=offset)]
            extractions = extract_many(documents, kb)  # the path `tripwire brief` takes: every core
            for extraction in extractions:
                store.save_extraction(extraction)
            incidents = sum(len(e.incidents) for e in extractions)
        total = time.perf_counter() - start

    rate = n / total
    print(f"articles: {n} ({len(report.added)} stored, {len(report.failed)} failed), incidents extracted: {incidents}")
    print(f"cores: {os.cpu_count()}")
    print(f"ingest: {t_ingest:.2f} s, ingest+extract+save: {total:.2f} s -> {rate:.1f} articles/s")
    print(f"I/O floor (read+hash only): {n / floor:.0f} articles/s")
    print(f"ratio vs target 100 articles/s: {rate / 100:.2f}x  ({'meets' if rate >= 100 else 'BELOW'} target)")
    print(f"ratio vs I/O floor: {rate / (n / floor):.3f}")


def _warm_document():  # type: ignore[no-untyped-def]
    from tripwire.model import Document

    return Document.from_text("Rockets hit Camp Taji on Wednesday, killing two American soldiers.", location="warm-up")


if __name__ == "__main__":
    main()
