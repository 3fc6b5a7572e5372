"""Fuzz harness: the ingest readers (``tripwire.ingest.load_file``) on HTML pages and RSS/Atom feeds.

Run: ``python fuzz/fuzz_ingest_html.py -max_total_time=60`` (atheris) or
``python fuzz/fuzz_ingest_html.py --plain --seconds 60``. Each input is
written to a scratch file, as ``.xml`` when it starts like a feed and as
``.html`` otherwise, and read back. Any exception other than a TripwireError,
an empty document, or a document whose id is not its text's hash is a crash.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import instrumented, is_known, run  # noqa: E402

with instrumented():
    from tripwire.errors import TripwireError
    from tripwire.ingest import load_file
    from tripwire.model import content_hash
    from tripwire.settings import Settings

SETTINGS = Settings(environ={})
SCRATCH = Path(tempfile.mkdtemp(prefix="tripwire-fuzz-"))


def test_one_input(data: bytes) -> None:
    head = data[:512].lower()
    suffix = ".xml" if (b"<rss" in head or b"<feed" in head or b"<rdf" in head) else ".html"
    path = SCRATCH / f"input{suffix}"
    path.write_bytes(data)
    try:
        docs = load_file(path, settings=SETTINGS)
    except TripwireError:
        return
    except Exception as exc:
        if is_known(exc):
            return
        raise
    for doc in docs:
        if not doc.text.strip():
            raise AssertionError("an empty document was produced")
        if doc.id != content_hash(doc.text):
            raise AssertionError("document id is not the content hash of its text")


if __name__ == "__main__":
    run(test_one_input, "ingest_html")
