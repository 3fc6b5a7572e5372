"""Cost of folding imported dataset rows into article incidents, in ``merge_and_save``.

    python bench/merge_rows.py [--quick] [--rows N ...]

For each N: a fresh SQLite store holds the bundled example articles
(ingested and extracted once) and N generated ACLED rows (``import_speed``'s
generator: 2015-2023, six countries). Then, alternating, best of 3 each:

- ``baseline``: ``merge_and_save`` with the dataset-row lookup switched off
  (the store answers no rows), i.e. article merging alone, as before rows were
  folded in;
- ``with rows``: ``merge_and_save`` as shipped: the stored rows dated near an
  article event are read and folded in.

Both runs do the same article merge and the same incident writes; the
difference is the row query, loading the candidates and trying them against
the article events. Prints seconds, the ratio, and how many candidate rows were
read and absorbed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from import_speed import acled_rows, write

from tripwire.ingest import ingest
from tripwire.interop import import_file
from tripwire.knowledge import KnowledgeBase
from tripwire.app.context import Context
from tripwire.app.jobs import example_sources, extract_documents, merge_and_save, row_windows
from tripwire.settings import Settings
from tripwire.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=None)
    parser.add_argument("--quick", action="store_true", help="0 and 2,000 rows only")
    args = parser.parse_args()
    args.rows = args.rows or ([0, 2_000] if args.quick else [0, 10_000, 100_000])
    kb = KnowledgeBase.load()
    print(f"{'rows':>8} {'baseline s':>11} {'with rows s':>12} {'ratio':>6} {'candidates':>11} {'absorbed':>9}")
    for n in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'm.db'}"
            settings = Settings({"database_url": url}, environ={})
            with Store(url) as store:
                ctx = Context(settings, kb, store)
                ingest(store, example_sources(), settings=settings)
                extractions = extract_documents(ctx)
                if n:
                    header, rows = acled_rows(n, np.random.default_rng(7))
                    write(Path(tmp) / "acled.csv", header, rows, ",")
                    import_file(store, Path(tmp) / "acled.csv", kb=kb)
                shipped = store.dataset_incidents
                times: dict[str, float] = {"baseline": float("inf"), "rows": float("inf")}
                for _ in range(3):
                    store.dataset_incidents = lambda windows: []  # type: ignore[method-assign]
                    t = time.perf_counter()
                    merge_and_save(ctx, extractions)
                    times["baseline"] = min(times["baseline"], time.perf_counter() - t)
                    store.dataset_incidents = shipped  # type: ignore[method-assign]
                    t = time.perf_counter()
                    merged = merge_and_save(ctx, extractions)
                    times["rows"] = min(times["rows"], time.perf_counter() - t)
                candidates = store.dataset_incidents(row_windows(i for e in extractions for i in e.incidents))
                absorbed = {d for i in merged.incidents for d in i.documents} & {d for r in candidates for d in r.documents}
            print(f"{n:>8} {times['baseline']:>11.3f} {times['rows']:>12.3f} {times['rows'] / times['baseline']:>6.2f} {len(candidates):>11} {len(absorbed):>9}")


if __name__ == "__main__":
    main()
