"""Tripwire's hand-written date and sentence rules against the maintained libraries for the same jobs.

    python bench/text_parsers.py [--quick]

Issue 12 asks to use dateparser, syntok or pysbd where they beat hand-written
rules, and to measure before choosing. This prints, for each job, accuracy on
a table of news phrasings written for this benchmark (each with the answer a
reader would give) and speed on the development corpus
(``../shared/corpus/news``, when present; generated text otherwise):

* dates: ``tripwire.extract.dates.find_dates`` against
  ``dateparser.search.search_dates`` with the publication date as
  ``RELATIVE_BASE`` and ``PREFER_DATES_FROM='past'`` (its documented settings
  for news), both asked for the first date in the phrase;
* sentences: ``tripwire.extract.sentences.split_sentences`` against
  ``pysbd.Segmenter(language='en', clean=False)`` and ``syntok.segmenter``,
  scored on where they cut.

Both sides run warm (one untimed call first) in this process, on the same
inputs, single-threaded. The tables are not independent of Tripwire's rules:
they were written by the people who wrote the rules, and the rules were
extended where this table first showed them losing ("two days ago", "the day
before yesterday", "a week ago", "mid-January", which dateparser read and the
rules did not; "9 p.m. EST on Sunday", which pysbd cuts). Read the accuracy
columns as "does the library get right what the rules get right", not as an
independent score. The libraries are optional here: a missing one is
reported and skipped. What this does not measure: the libraries' other
languages and formats, which Tripwire does not need.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tripwire.extract.dates import find_dates  # noqa: E402
from tripwire.extract.sentences import fold, split_sentences  # noqa: E402

PUB = dt.date(2024, 1, 31)  # a Wednesday
D = dt.date

#: (phrase, the event date a reader takes from it, or None where it names no date)
DATE_CASES: list[tuple[str, dt.date | None]] = [
    ("Rockets hit the base on Sunday.", D(2024, 1, 28)),
    ("The attack on Tuesday night wounded two soldiers.", D(2024, 1, 30)),
    ("Drones struck the outpost yesterday.", D(2024, 1, 30)),
    ("The strike came last night.", D(2024, 1, 30)),
    ("Militants attacked the convoy on Jan. 28.", D(2024, 1, 28)),
    ("The ambush happened on 4 October 2017.", D(2017, 10, 4)),
    ("The ship was hit on October 4, 2017, officials said.", D(2017, 10, 4)),
    ("It was struck on 2019-12-27.", D(2019, 12, 27)),
    ("The attack on 13/06/2019 damaged two tankers.", D(2019, 6, 13)),
    ("The attack on 06/13/2019 damaged two tankers.", D(2019, 6, 13)),
    ("Missiles hit the base on the 8th of January.", D(2024, 1, 8)),
    ("The drone attack on Saturday's convoy killed three.", D(2024, 1, 27)),
    ("The raid took place in December.", D(2023, 12, 1)),
    ("He said the base was attacked in December 2019.", D(2019, 12, 1)),
    ("The group may 5 times have fired.", None),
    ("The militia vowed to strike again.", None),
    ("Officials said the March rocket attack was the largest.", D(2023, 3, 1)),
    ("The Jan. 28 drone strike killed three US soldiers.", D(2024, 1, 28)),
    ("Three soldiers were killed on Sunday morning.", D(2024, 1, 28)),
    ("A rocket landed near the embassy early on Monday.", D(2024, 1, 29)),
    ("The embassy was attacked on February 31, 2020.", None),
    ("The tanker was attacked today in the Gulf of Oman.", D(2024, 1, 31)),
    ("Forces struck 85 targets on Friday, the Pentagon said.", D(2024, 1, 26)),
    ("The attack in the early hours of Thursday killed a contractor.", D(2024, 1, 25)),
    ("Officials gave a deadline until March 1.", None),
    # phrasings the rules were not written for: where a library could win
    ("The base was attacked two days ago.", D(2024, 1, 29)),
    ("The convoy was ambushed the day before yesterday.", D(2024, 1, 29)),
    ("The strike came last Thursday.", D(2024, 1, 25)),
    ("Rockets fell on the night of January 7-8.", D(2024, 1, 7)),
    ("The attack came on Tuesday, January 30.", D(2024, 1, 30)),
    ("Missiles were fired on 30 Jan 2024 at 10pm.", D(2024, 1, 30)),
    ("The raid came a week ago.", D(2024, 1, 24)),
    ("The tanker was seized in mid-January.", D(2024, 1, 1)),
]

#: (text, its sentences as a reader cuts them)
SENTENCE_CASES: list[tuple[str, list[str]]] = [
    ("U.S. officials said the attack was over. Nobody was hurt.", ["U.S. officials said the attack was over.", "Nobody was hurt."]),
    ("Sgt. First Class Jeremiah Black was killed. He was 35.", ["Sgt. First Class Jeremiah Black was killed.", "He was 35."]),
    ("The attack came on Jan. 28 at the base. Three died.", ["The attack came on Jan. 28 at the base.", "Three died."]),
    ('"We will respond," Gen. Smith said. "It was Iran."', ['"We will respond," Gen. Smith said.', '"It was Iran."']),
    ("Rockets hit at 9 p.m. EST on Sunday. Nobody was hurt.", ["Rockets hit at 9 p.m. EST on Sunday.", "Nobody was hurt."]),
    ("The group (known as KH) denied it. The U.S. blamed Iran.", ["The group (known as KH) denied it.", "The U.S. blamed Iran."]),
    ("Two died. 25 were wounded.", ["Two died.", "25 were wounded."]),
    ("Was it Iran? Officials would not say.", ["Was it Iran?", "Officials would not say."]),
    ("The U.N. envoy condemned the strike. Dr. Ali agreed.", ["The U.N. envoy condemned the strike.", "Dr. Ali agreed."]),
    ("He served in the U.S. Army. His unit was hit.", ["He served in the U.S. Army.", "His unit was hit."]),
    ("Drones hit Erbil\nThe airport was closed.", ["Drones hit Erbil", "The airport was closed."]),
    ("The base, about 20 km (12 mi.) north, was struck. No one died.", ["The base, about 20 km (12 mi.) north, was struck.", "No one died."]),
]


def _date_ours(text: str) -> dt.date | None:
    found = [d for d in find_dates(text, PUB) if not d.deadline]
    return found[0].date if found else None


def _date_dateparser():  # type: ignore[no-untyped-def]
    from dateparser.search import search_dates

    # its settings for news at their best: relative to publication, past dates, a bare month read as its first day (as the labels are)
    settings = {"RELATIVE_BASE": dt.datetime.combine(PUB, dt.time(12)), "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}

    def run(text: str) -> dt.date | None:
        found = search_dates(text, languages=["en"], settings=settings)
        return found[0][1].date() if found else None

    return run


def _sent_ours(text: str) -> list[str]:
    return [s.text.strip() for s in split_sentences(fold(text))]


def _sent_pysbd():  # type: ignore[no-untyped-def]
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    return lambda text: [s.strip() for s in seg.segment(text) if s.strip()]


def _sent_syntok():  # type: ignore[no-untyped-def]
    from syntok import segmenter

    def run(text: str) -> list[str]:
        out = []
        for paragraph in segmenter.process(text):
            for sentence in paragraph:
                s = "".join(t.spacing + t.value for t in sentence).strip()
                if s:
                    out.append(s)
        return out

    return run


def _corpus_texts(quick: bool) -> list[str]:
    corpus = ROOT.parent / "shared" / "corpus" / "news"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.glob("*/*.md"))] if corpus.is_dir() else []
    if not texts:  # no corpus here: generated wire-style text of the same size
        texts = [("Rockets hit the base on Sunday, U.S. officials said. Gen. Smith blamed Iran. Nobody was hurt. " * 40)] * 140
    return texts[:30] if quick else texts


def _timed(fn, items) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    fn(items[0])  # warm
    start = time.perf_counter()
    out = [fn(x) for x in items]
    return time.perf_counter() - start, out


def _load(name: str, factory):  # type: ignore[no-untyped-def]
    try:
        return factory()
    except ImportError:
        print(f"  {name}: not installed, skipped (pip install {name})")
        return None


def _compare(what: str, unit: str, cases, corpus, contenders) -> None:  # type: ignore[no-untyped-def]
    """One table: each contender's right answers on ``cases`` and its speed on ``corpus``, as a ratio to the first."""
    print(f"  {what:<28}{'correct':>10}{unit:>14}{'ratio':>8}")
    base_rate = None
    for name, fn in contenders:
        if fn is None:
            continue
        right = sum(fn(text) == want for text, want in cases)
        secs, _ = _timed(fn, corpus)
        rate = len(corpus) / secs
        base_rate = base_rate or rate
        print(f"  {name:<28}{right:>5}/{len(cases):<4}{rate:>14,.1f}{rate / base_rate:>7.2f}x")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    texts = _corpus_texts(quick)
    sentences = [s for t in texts for s in _sent_ours(t)][: 400 if quick else 2000]
    print(f"dates: {len(DATE_CASES)} labelled phrases; speed on {len(sentences)} corpus sentences (publication date {PUB})")
    _compare("parser", "sentences/s", DATE_CASES, sentences,
             (("tripwire find_dates", _date_ours), ("dateparser search_dates", _load("dateparser", _date_dateparser))))
    print(f"\nsentences: {len(SENTENCE_CASES)} labelled texts (cuts exactly right); speed on {len(texts)} corpus articles")
    _compare("segmenter", "articles/s", SENTENCE_CASES, texts,
             (("tripwire split_sentences", _sent_ours), ("pysbd", _load("pysbd", _sent_pysbd)), ("syntok", _load("syntok", _sent_syntok))))
    print("\nratio: speed relative to Tripwire's own rules in this run (above 1: the library is faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
