"""Fuzz harness: ``tripwire.extract.extract_text`` on arbitrary text.

Run: ``python fuzz/fuzz_extract.py -max_total_time=60`` (atheris/libFuzzer) or
``python fuzz/fuzz_extract.py --plain --seconds 60`` (no atheris). The input
bytes are decoded as UTF-8 (errors replaced) so the seed corpus is plain text.
Any exception other than a TripwireError, a span that does not match its text,
or a document id that is not the text's content hash is a crash.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runner import instrumented, is_known, run  # noqa: E402

with instrumented():
    from tripwire.errors import TripwireError
    from tripwire.extract import extract_text
    from tripwire.knowledge import KnowledgeBase
    from tripwire.model import content_hash

KB = KnowledgeBase.load()


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        result = extract_text(text, kb=KB)
    except TripwireError:
        return
    except Exception as exc:
        if is_known(exc):
            return
        raise
    if result.document_id != content_hash(text):
        raise AssertionError("document id is not the content hash of the text")
    spans = [s for i in result.incidents for s in i.evidence] + [s for a in result.actions for s in a.evidence]
    spans += [c.evidence for i in result.incidents for c in i.attributions if c.evidence is not None]
    spans += [r.evidence for r in result.redlines if r.evidence is not None]
    stored = text.replace("\x00", "")  # spans index the text as a document stores it: NULs dropped (model.without_nul)
    for span in spans:
        if stored[span.start : span.end] != span.text:
            raise AssertionError(f"span {span.start}:{span.end} does not match the text it points at")


if __name__ == "__main__":
    run(test_one_input, "extract")
