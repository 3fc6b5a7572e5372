"""Fuzz harness: the dataset importers (``tripwire.interop``: ACLED, UCDP GED, GDELT 2.0).

Run: ``python fuzz/fuzz_importers.py -max_total_time=60`` (atheris) or
``python fuzz/fuzz_importers.py --plain --seconds 60``. Each input is written
to a scratch file, sniffed with ``sniff_format`` and streamed with
``iter_events``; every parsed row must be a whole document (id = content hash).
Any exception other than a TripwireError is a crash.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import instrumented, is_known, run  # noqa: E402

with instrumented():
    from tripwire.errors import TripwireError
    from tripwire.interop import ParsedRow, iter_events, sniff_format
    from tripwire.knowledge import KnowledgeBase
    from tripwire.model import content_hash

KB = KnowledgeBase.load()
SCRATCH = Path(tempfile.mkdtemp(prefix="tripwire-fuzz-"))


def test_one_input(data: bytes) -> None:
    path = SCRATCH / "input.csv"
    path.write_bytes(data)
    try:
        fmt = sniff_format(path)
        rows = list(iter_events(path, format=fmt, kb=KB))
    except TripwireError:
        return
    except Exception as exc:
        if is_known(exc):
            return
        raise
    for row in rows:
        if isinstance(row, ParsedRow) and row.document.id != content_hash(row.document.text):
            raise AssertionError(f"line {row.line}: document id is not the content hash of its text")


if __name__ == "__main__":
    run(test_one_input, "importers")
