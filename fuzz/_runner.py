"""Shared driver for the Tripwire fuzz harnesses: libFuzzer through atheris, or a plain-Python fallback.

``run(test_one_input, name)`` fuzzes ``test_one_input(data: bytes)`` with
atheris when it is installed (coverage-guided, libFuzzer flags accepted on the
command line, crashes written under ``fuzz/crashes/``). Without atheris -- or
with ``--plain`` -- it replays the seed corpus in ``fuzz/corpus/<name>/`` and
then mutates those seeds at random (seeded, reproducible) for ``--seconds``;
an input that raises anything but a :class:`~tripwire.errors.TripwireError`
is saved to ``fuzz/crashes/<name>-<sha1>.bin`` and reported.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRASHES = HERE / "crashes"
TOKENS = (
    b"<", b">", b"</p>", b"<script>", b"<!--", b"<![CDATA[", b"]]>", b"&#xD800;", b"&#0;", b"&amp", b"<item>", b"</item>",
    b"<entry>", b"\x00", b"\xff\xfe", b"\xc3", b",", b'"', b"\t", b"\n", b"\r\n", b"killed", b"rocket", b"Iran", b"if ",
    b"2019-12-27", b"99999999999999999999", b"-1", b"nan",
)  # fmt: skip


def mutate(rng: random.Random, data: bytes, max_len: int) -> bytes:
    """A few random byte-level edits: flips, deletions, insertions of tokens, splices, truncation, duplication."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if op == 0 and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif op == 1:
            del out[at : at + rng.randint(1, 64)]
        elif op == 2:
            out[at:at] = rng.choice(TOKENS)
        elif op == 3:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 4:
            del out[at:]
        else:
            out[at:at] = out[max(0, at - 200) : at]
    return bytes(out[:max_len])


def _plain(test_one_input: Callable[[bytes], None], name: str, seconds: float, seed: int, max_len: int) -> int:
    seeds = [p.read_bytes() for p in sorted((HERE / "corpus" / name).glob("*")) if p.is_file()] or [b""]
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    runs = crashes = 0
    seen: set[str] = set()
    queue = list(seeds)
    while queue or time.monotonic() < deadline:
        data = queue.pop(0) if queue else mutate(rng, rng.choice(seeds), max_len)
        runs += 1
        try:
            test_one_input(data)
        except Exception as exc:  # noqa: BLE001 - any escape is a finding
            where = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__}@{Path(where.filename).name}:{where.lineno}"
            if key not in seen:
                seen.add(key)
                crashes += 1
                CRASHES.mkdir(exist_ok=True)
                path = CRASHES / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
                path.write_bytes(data)
                print(f"CRASH {key}: {type(exc).__name__}: {str(exc)[:200]} -> {path.relative_to(HERE.parent)}", flush=True)
    print(f"{name}: {runs} inputs in {seconds:.0f} s (plain mode, seed {seed}), {crashes} distinct crash site(s)", flush=True)
    return 1 if crashes else 0


#: Crash sites already reported to the owners (see fuzz/README.md); with ``FUZZ_SKIP_KNOWN=1``
#: a harness treats them as handled so a long run can look for new ones.
KNOWN_CRASHES: tuple[tuple[str, str], ...] = (
    ("UnicodeDecodeError", "encodings.py"),  # feedparser: non-UTF-8 byte in <?xml encoding="..."?>
    ("UnicodeEncodeError", "mixin.py"),  # feedparser: character reference to a lone surrogate
    ("UnicodeEncodeError", "model.py"),  # content_hash of text holding a lone surrogate
    ("ValueError", "apihelpers.pxi"),  # lxml: control character in HTML text reaching drop_tree (ingest/html.py)
)


def is_known(exc: BaseException) -> bool:
    """True for an exception raised at a crash site listed in :data:`KNOWN_CRASHES`, when skipping them is enabled."""
    if not os.environ.get("FUZZ_SKIP_KNOWN"):
        return False
    where = Path(traceback.extract_tb(exc.__traceback__)[-1].filename).name
    return (type(exc).__name__, where) in KNOWN_CRASHES


def instrumented() -> contextlib.AbstractContextManager[object]:
    """Import Tripwire inside this block: atheris then instruments it for coverage feedback (a no-op without atheris)."""
    if "--plain" in sys.argv or os.environ.get("FUZZ_PLAIN"):
        return contextlib.nullcontext()
    try:
        import atheris
    except ImportError:
        return contextlib.nullcontext()
    return atheris.instrument_imports(include=["tripwire"])  # type: ignore[no-any-return]


def run(test_one_input: Callable[[bytes], None], name: str) -> None:
    """Fuzz with atheris if possible, else with the plain loop; exit status 1 when something crashed."""
    parser = argparse.ArgumentParser(description=f"Fuzz harness {name}", add_help=True)
    parser.add_argument("--plain", action="store_true", help="use the plain-Python loop even if atheris is installed")
    parser.add_argument("--seconds", type=float, default=60.0, help="plain mode: how long to mutate after replaying the corpus")
    parser.add_argument("--seed", type=int, default=0, help="plain mode: seed of the mutations")
    parser.add_argument("--max-len", type=int, default=20_000, help="plain mode: longest input tried")
    args, rest = parser.parse_known_args()
    try:
        import atheris
    except ImportError:
        atheris = None
    if args.plain or atheris is None:
        if atheris is None and not args.plain:
            print("atheris is not installed: running the plain-Python fallback", file=sys.stderr)
        sys.exit(_plain(test_one_input, name, args.seconds, args.seed, args.max_len))
    argv = [sys.argv[0], *rest]
    if not any(a.startswith("-artifact_prefix=") for a in rest):
        CRASHES.mkdir(exist_ok=True)
        argv.append(f"-artifact_prefix={CRASHES}/{name}-")
    if not any(not a.startswith("-") for a in rest):
        work = HERE / "work" / name  # libFuzzer adds what it discovers to the first folder; keep the seeds clean
        work.mkdir(parents=True, exist_ok=True)
        argv += [str(work), str(HERE / "corpus" / name)]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
