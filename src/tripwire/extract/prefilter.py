"""Regexes that skip a text at once when it lacks every word a match needs.

Python's ``re`` tries a pattern such as ``\\b(?:fired|launched|...)`` at every
position of the text: with ``re.IGNORECASE`` or a leading ``\\b`` it has no
literal prefix to jump to, so a cue pattern costs tens of microseconds per
sentence even where nothing matches, which is most sentences for most cues.
:func:`compile` reads the pattern's syntax tree (on first use) for what a
match needs: for each top-level alternative, up to three sets of literal
strings, a match holding one literal of each (for
``\\bsaid\\s+(?:it|they)\\s+(?:fired|launched)\\b`` that is ``{"fired",
"launched"}``, ``{"said"}`` and ``{"it", "they"}``). A :class:`Prefiltered`
pattern runs the real regex only on a text where some alternative has them
all (compared lower-cased, so the test is the same with and without
``re.IGNORECASE``); :meth:`Prefiltered.found` answers "does it match
anywhere" for an alternation of plain words ignoring case from the literals
alone. The answer is always the regex's own: the test only ever skips texts
on which the regex cannot match.

A text of ASCII characters only (nearly every news sentence) is matched by a
twin of the regex compiled with ``re.ASCII`` (:func:`ascii_twin`), whose
``\\w``, ``\\s`` and case-insensitive tests look characters up in a table
instead of the Unicode database: about a third less time in the regex
engine, and the same matches (see :func:`ascii_twin` for when it holds).

Only ASCII literals count. The four characters outside ASCII that match an
ASCII letter under ``re.IGNORECASE`` (``İ``, ``ı``, ``ſ`` and the Kelvin
sign) are replaced by that letter before lower-casing (``ı`` and ``ſ`` are
their own lower case, and ``İ`` lower-cases to two characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

#: the non-ASCII characters ``re.IGNORECASE`` matches to an ASCII letter, and that letter
_CASE_FIX = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
_REPEATS = tuple(getattr(_c, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_c, name))
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)


def _better(a: frozenset[str] | None, b: frozenset[str]) -> frozenset[str]:
    """The more selective of two requirement sets: longer shortest literal, then fewer literals."""
    if a is None:
        return b
    return b if (min(map(len, b)), -len(b)) > (min(map(len, a)), -len(a)) else a


def _needed(items: Any) -> frozenset[str] | None:
    """Lower-case literals at least one of which any match of the sequence ``items`` holds; None when nothing is known."""
    best: frozenset[str] | None = None
    for found in _literal_sets(items):
        if found:
            best = _better(best, found)
    return best


def _minimal(found: frozenset[str]) -> frozenset[str]:
    """``found`` without the literals that hold another of it ("attack" in a text covers "attacks")."""
    return frozenset(x for x in found if not any(y != x and y in x for y in found))


def needed_literals(pattern: str, flags: int = 0) -> frozenset[str]:
    """The literals (lower case) one of which every match of ``pattern`` holds; empty when none is known."""
    try:
        found = _needed(_sre_parse.parse(pattern, flags))
    except Exception:  # noqa: BLE001 - anything the parser cannot say: no prefilter, the regex decides
        return frozenset()
    return _minimal(found) if found else frozenset()


#: at most this many literal sets are tested for one alternative (the most selective)
_MAX_CLAUSES = 3


def _literal_sets(items: Any) -> list[frozenset[str]]:
    """Every literal set (lower case, in pattern order) a match of the sequence ``items`` needs one literal of."""
    sets: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in list(items) + [(None, None)]:
        if op is _c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            sets.append(frozenset(("".join(run),)))
            run = []
        if op is _c.SUBPATTERN:
            sets.extend(_literal_sets(av[-1]))
        elif _ATOMIC is not None and op is _ATOMIC:
            sets.extend(_literal_sets(av))
        elif op is _c.BRANCH:
            alternatives = [_needed(p) for p in av[1]]
            if all(a is not None for a in alternatives):
                sets.append(frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            sets.extend(_literal_sets(av[2]))
    return sets


def _clauses(items: Any) -> list[frozenset[str]]:
    """Literal sets a match of the sequence ``items`` needs one literal of each of, most selective first."""
    unique = sorted({_minimal(x) for x in _literal_sets(items)}, key=lambda x: (-min(map(len, x)), len(x), sorted(x)))
    return unique[:_MAX_CLAUSES]


def _alternatives(pattern: str, flags: int) -> tuple[list[Any], bool]:
    """The top-level alternatives of ``pattern`` (one when it is not one alternation), with the zero-width
    anchors around them set aside (``\\b(?:A|B)`` is A or B), and whether each is all there is to a match:
    the pattern ignores case and had no anchor set aside."""
    parsed = _sre_parse.parse(pattern, flags)
    whole = bool(parsed.state.flags & re.IGNORECASE)
    items = list(parsed)
    while True:
        kept = [it for it in items if it[0] is not _c.AT]
        whole = whole and len(kept) == len(items)
        if len(kept) == 1 and kept[0][0] is _c.SUBPATTERN and not (kept[0][1][1] or kept[0][1][2]):
            items = list(kept[0][1][-1])
            continue
        break
    if len(kept) == 1 and kept[0][0] is _c.BRANCH:
        return [list(p) for p in kept[0][1][1]], whole
    return [kept], whole


def exact_alternatives(pattern: str, flags: int = 0) -> tuple[bool, ...]:
    """For each alternative of :func:`requirements`: whether it is one plain literal, ignoring case, so that the
    text holding it (lower-cased) is a match."""
    try:
        alternatives, whole = _alternatives(pattern, flags)
    except Exception:  # noqa: BLE001 - see requirements
        return ()
    return tuple(whole and bool(alt) and all(op is _c.LITERAL and av < 128 for op, av in alt) for alt in alternatives)


def requirements(pattern: str, flags: int = 0) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """What a text must hold for ``pattern`` to match: for some alternative of the pattern, one literal of each of its sets.

    A pattern that is one alternation (``\\b(?:A|B|C)``) has one entry per
    alternative, anything else one entry. Empty when nothing is known (no
    prefilter: the regex always runs).
    """
    try:
        alternatives = [_clauses(alt) for alt in _alternatives(pattern, flags)[0]]
    except Exception:  # noqa: BLE001 - anything the parser cannot say: no prefilter, the regex decides
        return ()
    if not alternatives or not all(alternatives):
        return ()  # an alternative that needs no literal can match anything
    return tuple(tuple(tuple(sorted(x)) for x in clauses) for clauses in alternatives)


#: the ASCII characters that ``\\s`` matches only without ``re.ASCII`` (the information separators)
_UNICODE_ONLY_SPACE = re.compile("[\x1c-\x1f]")


def _codepoints(items: Any) -> Iterator[tuple[int, int]]:
    """(low, high) of every character and range a parsed pattern names."""
    for op, av in items:
        if op is _c.LITERAL or op is _c.NOT_LITERAL:
            yield av, av
        elif op is _c.RANGE:
            yield av
        elif op is _c.IN:
            yield from _codepoints(av)
        elif op is _c.SUBPATTERN:
            yield from _codepoints(av[-1])
        elif op is _c.BRANCH:
            for alt in av[1]:
                yield from _codepoints(alt)
        elif op in _REPEATS:
            yield from _codepoints(av[2])
        elif (_ATOMIC is not None and op is _ATOMIC) or op in (_c.ASSERT, _c.ASSERT_NOT):
            yield from _codepoints(av if op is _ATOMIC else av[1])
        elif op is _c.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    yield from _codepoints(branch)


def ascii_twin(pattern: str, flags: int = 0) -> re.Pattern[str] | None:
    """``pattern`` compiled with ``re.ASCII``: on a text of ASCII characters with none of ``\\x1c``-``\\x1f``, it finds what the pattern finds.

    On such a text the two modes differ only where the pattern itself names a
    character that matches an ASCII letter ignoring case in Unicode mode alone
    (``İ``, ``ı``, ``ſ``, the Kelvin sign): ``\\w``, ``\\d`` and ``\\b`` are
    the same on ASCII characters, ``\\s`` too but for ``\\x1c``-``\\x1f``,
    and an ASCII letter matches the same letters either way. None for such a
    pattern, or one that does not compile with ``re.ASCII`` (a bytes-only
    construct, an inline ``(?u)``).
    """
    try:
        parsed = _sre_parse.parse(pattern, flags)
        if any(lo <= k <= hi for lo, hi in _codepoints(parsed) for k in _CASE_FIX):
            return None
        return re.compile(pattern, (flags & ~re.UNICODE) | re.ASCII)
    except Exception:  # noqa: BLE001 - whatever keeps the twin from being exact or from compiling: the regex alone
        return None


def ascii_text(text: str) -> bool:
    """Whether :func:`ascii_twin` patterns may stand in for their originals on ``text``."""
    return text.isascii() and _UNICODE_ONLY_SPACE.search(text) is None


#: the last text :func:`_plain_ascii` read, and its answer: a sentence is matched by many patterns in turn
_last_ascii: tuple[str, bool] = ("", True)


def _plain_ascii(text: str) -> bool:
    """:func:`ascii_text` of an ASCII ``text``, kept for the very same string object."""
    global _last_ascii
    last = _last_ascii
    if last[0] is text:
        return last[1]
    plain = _UNICODE_ONLY_SPACE.search(text) is None
    _last_ascii = (text, plain)
    return plain


def lowered(text: str) -> str:
    """``text`` lower-cased the way :class:`Prefiltered` compares it."""
    return text.lower() if text.isascii() else text.translate(_CASE_FIX).lower()


#: the last text lowered and its lower case: the rule modules run many patterns over one sentence in turn
_last: tuple[str, str] = ("", "")


def _lowered_once(text: str) -> str:
    """:func:`lowered`, kept for the very same string object (strings never change, so it is always right)."""
    global _last
    last = _last
    if last[0] is text:
        return last[1]
    low = lowered(text)
    _last = (text, low)
    return low


class Prefiltered:
    """A compiled regex that answers "no match" without running when the text lacks every literal a match needs.

    Offers what the extractor uses of :class:`re.Pattern` (``search``,
    ``match``, ``fullmatch``, ``finditer``, ``findall``); anything else is the
    compiled pattern's own (``pattern``, ``flags``, ``groupindex``...).
    """

    __slots__ = ("regex", "_needs", "_exact", "_twin")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.regex = re.compile(pattern, flags)
        self._needs: tuple[tuple[tuple[str, ...], ...], ...] | None = None  # read on first use: importing the rules stays cheap
        self._exact: tuple[bool, ...] = ()
        self._twin: re.Pattern[str] | None | bool = False  # :func:`ascii_twin`, compiled on first use (False: not yet)

    def __reduce__(self) -> tuple[object, ...]:
        return (Prefiltered, (self.regex.pattern, self.regex.flags))  # the tests and the twin are made again on first use

    def engine(self, text: str) -> re.Pattern[str]:
        """The compiled regex to run on ``text``: the ASCII twin where it finds the same (:func:`ascii_text`), else the regex."""
        if text.isascii():
            twin = self._twin
            if twin is False:
                twin = self._twin = ascii_twin(self.regex.pattern, self.regex.flags)
            if twin is not None and _plain_ascii(text):
                return twin  # type: ignore[return-value]
        return self.regex

    @property
    def needs(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """:func:`requirements` of the pattern (empty: no prefilter)."""
        if self._needs is None:
            self._exact = exact_alternatives(self.regex.pattern, self.regex.flags)
            self._needs = requirements(self.regex.pattern, self.regex.flags)
        return self._needs

    def found(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (``search(text) is not None``).

        A hint pattern that is an alternation of plain words ignoring case
        ("claim|credit|responsib|..."), the text holding one of them is the
        answer, without running the regex.
        """
        needs = self._needs
        if needs is None:
            needs = self.needs
        if not needs:
            return self.engine(text).search(text) is not None
        low = _lowered_once(text)
        maybe = False
        for clauses, sure in zip(needs, self._exact or (False,) * len(needs)):
            for options in clauses:
                for lit in options:
                    if lit in low:
                        break
                else:
                    break
            else:
                if sure:
                    return True
                maybe = True
        return maybe and self.engine(text).search(text) is not None

    @property
    def literals(self) -> tuple[str, ...]:
        """Every literal the prefilter looks for."""
        return tuple(sorted({lit for clauses in self.needs for options in clauses for lit in options}))

    def may_match(self, text: str) -> bool:
        """False only when no match is possible in ``text``."""
        needs = self._needs
        if needs is None:
            needs = self.needs
        if not needs:
            return True
        low = _lowered_once(text)
        for clauses in needs:
            for options in clauses:
                for lit in options:
                    if lit in low:
                        break
                else:
                    break  # no literal of this set: this alternative cannot match
            else:
                return True
        return False

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self.engine(text).search(text, *args) if self.may_match(text) else None

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        return self.engine(text).match(text, *args) if self.may_match(text) else None

    def fullmatch(self, text: str, *args: int) -> re.Match[str] | None:
        return self.engine(text).fullmatch(text, *args) if self.may_match(text) else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        return self.engine(text).finditer(text, *args) if self.may_match(text) else iter(())

    def findall(self, text: str, *args: int) -> list[Any]:
        return self.engine(text).findall(text, *args) if self.may_match(text) else []

    def __getattr__(self, name: str) -> Any:
        if name in Prefiltered.__slots__ or name.startswith("__"):  # not yet set (unpickling), or a protocol pickle asks for
            raise AttributeError(name)
        return getattr(self.regex, name)

    def __repr__(self) -> str:
        return f"Prefiltered({self.regex.pattern!r}, literals={self.literals!r})"


def compile(pattern: str, flags: int = 0) -> Prefiltered:  # noqa: A001 - the name says it stands in for re.compile
    """:func:`re.compile` with the prefilter of :class:`Prefiltered`."""
    return Prefiltered(pattern, flags)


__all__ = ["Prefiltered", "ascii_text", "ascii_twin", "compile", "exact_alternatives", "lowered", "needed_literals", "requirements"]
