"""Compiled look-up tables built once per knowledge base.

The knowledge base's own ``find_*`` methods try every alias pattern in turn,
which is fine for one sentence but slow for thousands of articles. A
:class:`Lexicon` files every alias of one kind in a table keyed by its first
word (:class:`_Names`), finding what one alternation regex of all of them
would find (longest alias first at each position) without compiling that
regex; one table is case-sensitive for short acronyms (``US``, ``IS``,
``KH``) and one case-insensitive for everything else. A Lexicon is cached
per :class:`~tripwire.knowledge.KnowledgeBase` instance.

It also holds the small tables of English words the extractor needs that are
not theatre knowledge: nationality adjectives and number words.
"""

from __future__ import annotations

import bisect
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from . import prefilter
from .. import cache
from ..knowledge import KnowledgeBase
from ..knowledge.base import Actor
from ..knowledge.places import ARTICLE

#: Nationality adjectives and nouns -> ISO 3166-1 alpha-2.
DEMONYMS: dict[str, str] = {
    "american": "US", "americans": "US", "us": "US", "u.s.": "US", "united states": "US",
    "british": "GB", "briton": "GB", "britons": "GB", "uk": "GB", "u.k.": "GB",
    "iraqi": "IQ", "iraqis": "IQ", "kurdish": "IQ",
    "iranian": "IR", "iranians": "IR", "iran": "IR",
    "syrian": "SY", "syrians": "SY",
    "israeli": "IL", "israelis": "IL",
    "saudi": "SA", "saudis": "SA",
    "turkish": "TR", "french": "FR", "german": "DE", "italian": "IT", "spanish": "ES",
    "australian": "AU", "canadian": "CA", "danish": "DK", "dutch": "NL", "polish": "PL",
    "norwegian": "NO", "filipino": "PH", "lebanese": "LB", "jordanian": "JO",
}

#: Demonyms that, when followed by a noun of their own ("an American", "a Briton"), denote a person.
PERSON_DEMONYMS = {"american", "americans", "briton", "britons", "iraqi", "iraqis", "iranian", "iranians"}

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a dozen": 12, "dozen": 12, "a hundred": 100, "both": 2, "a pair of": 2,
}

#: Vague quantities: (count, approximate).
VAGUE_NUMBERS: dict[str, int] = {"several": 3, "a few": 3, "dozens": 24, "dozens of": 24, "some": 2, "scores of": 40, "a number of": 2, "a handful of": 3}


@dataclass(frozen=True)
class Mention:
    """A knowledge-base name found in text: offsets relative to the text searched."""

    start: int
    end: int
    key: str
    text: str


_RUN = prefilter.compile(r"[\w-]+")  # prefilter: no literal to test, but the ASCII twin on ASCII text
_ODD_SPACE = prefilter.compile(r"\s{2,}|[^\S ]")
_SPACES = prefilter.compile(r"\s+")


#: one group of a name table's names: (table number, leading punctuation, names longest first or None, lengths, name set)
_Entry = tuple[int, str, "tuple[str, ...] | None", tuple[int, ...], frozenset[str]]
#: where a group is filed: its first run, or its first two runs for names of more than one run
_Key = "str | tuple[str, str]"


class _Names:
    """Whole-word search for many names at once, with no regex to compile.

    A name matches where the text holds it with any run of whitespace for
    each of its spaces, not preceded or followed by a word character or a
    hyphen; at each position the longest name wins, and matches do not
    overlap (scanning left to right). That is what one alternation regex of
    all the names would find, but compiling that regex for the 20,000-name
    gazetteer took most of a second at every start. Each name is filed under
    its first *run* (word characters and hyphens) and the punctuation before
    it (``'Ali``), a name of several runs under its first two runs
    (``the``, ``pentagon``); a text is searched only where it holds a first
    run as a whole run, and there only for the names whose second run is the
    text's next run (the only ones that can match: a run of the name is a
    whole run of the text wherever the name matches as a whole word).
    """

    def __init__(self, names: list[str], fold_case: bool) -> None:
        self.fold_case = fold_case
        by_head: dict[tuple[str, str, str], set[str]] = {}
        for name in names:
            name = " ".join(name.split())
            if fold_case:
                name = _fold(name)
            run = _RUN.search(name)
            if run is None or " " in name[: run.start()]:
                continue  # no word character before a space: not a name anything can match as a whole word
            second = _RUN.search(name, run.end())
            by_head.setdefault((run.group(), second.group() if second else "", name[: run.start()]), set()).add(name)
        #: first run or first two runs -> ((0, leading punctuation, names longest first, or None where a set look-up per length is shorter, ...), ...)
        self.by_run: dict[_Key, tuple[_Entry, ...]] = {}
        for (first, second, lead), group in sorted(by_head.items()):
            lengths = tuple(sorted({len(n) for n in group}, reverse=True))
            # many names under one head ("al", 1,300 places): try each length once instead of each name
            names = tuple(sorted(group, key=lambda n: (-len(n), n))) if len(group) <= 2 * len(lengths) else None
            key = (first, second) if second else first
            self.by_run[key] = (*self.by_run.get(key, ()), (0, lead, names, lengths, frozenset(group) if names is None else frozenset()))
        #: every first run
        self.firsts = frozenset(k if isinstance(k, str) else k[0] for k in self.by_run)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every match in ``text``, left to right."""
        return self.spans_in(Scan(text, self.fold_case))

    def spans_in(self, scan: "Scan") -> list[tuple[int, int]]:
        """:meth:`spans` of a text already made ready (:class:`Scan`, of this table's case mode)."""
        best = _walk(self.by_run, self.firsts, scan, 1)
        return _chosen(best[0], scan) if best else []


def merged_runs(tables: list[_Names]) -> tuple[dict[_Key, tuple[_Entry, ...]], frozenset[str]]:
    """The entries (and first runs) of several tables of one case mode in one dict, each entry numbered by its table's place in ``tables``.

    :func:`_walk` over it finds what each table's own walk finds, walking the
    text's runs once for all of them.
    """
    merged: dict[_Key, tuple[_Entry, ...]] = {}
    for number, table in enumerate(tables):
        for key, entries in table.by_run.items():
            merged[key] = (*merged.get(key, ()), *((number, *entry[1:]) for entry in entries))
    return merged, frozenset().union(*(t.firsts for t in tables))


def _walk(by_run: dict[_Key, tuple[_Entry, ...]], firsts: frozenset[str], scan: "Scan", tables: int) -> list[dict[int, int]] | None:
    """For each of ``tables`` tables filed in ``by_run``: start -> end of the longest name there; None when the text holds no first run."""
    present = firsts & scan.words  # the first runs the text holds at all (set work in C)
    if not present:
        return None
    best: list[dict[int, int]] = [{} for _ in range(tables)]
    text, n = scan.text, scan.n
    runs = scan.runs
    last = len(runs) - 1
    for k, (q, first) in enumerate(runs):  # every whole run of the text is a possible first run of a name
        if first not in present:
            continue
        for entries in (by_run.get(first), by_run.get((first, runs[k + 1][1])) if k < last else None):
            if not entries:
                continue
            for number, lead, names, lengths, name_set in entries:
                p = q - len(lead)
                if p < 0 or (lead and (text[p:q] != lead or (p and _word(text[p - 1])))):
                    continue
                if names is not None:
                    end = next((p + len(nm) for nm in names if text.startswith(nm, p) and (p + len(nm) == n or not _word(text[p + len(nm)]))), None)
                else:
                    end = next((p + size for size in lengths if p + size <= n and (p + size == n or not _word(text[p + size])) and text[p : p + size] in name_set), None)
                if end is not None:
                    found = best[number]
                    if end > found.get(p, -1):
                        found[p] = end
    return best


def _chosen(best: dict[int, int], scan: "Scan") -> list[tuple[int, int]]:
    """The matches one table keeps of ``best`` (start -> longest end): left to right, none overlapping, in the original text's offsets."""
    if not best:
        return []
    found: list[tuple[int, int]] = []
    last = 0
    for p in sorted(best):
        if p >= last:
            found.append((p, best[p]))
            last = best[p]
    if scan.starts is not None:
        starts, flat_starts = scan.starts, scan.flat_starts
        found = [(_original(starts, flat_starts, s), _original(starts, flat_starts, e - 1) + 1) for s, e in found]
    return found


class Scan:
    """A text made ready once for every name table of one case mode (:meth:`_Names.spans_in`).

    Holds the text (lower-cased by :func:`_fold` for the case-insensitive
    tables), with every run of whitespace made one space when it has other
    runs (offsets are mapped back to the original text), and its whole runs
    of word characters and hyphens: ``words`` at once, ``runs`` (with their
    offsets: the only places a name can start, since every name is filed
    under its first run) on first use, since a text holding no table's first
    run needs no walk.
    """

    __slots__ = ("text", "n", "_runs", "words", "starts", "flat_starts")

    def __init__(self, text: str, fold_case: bool) -> None:
        if fold_case:
            text = _fold(text)
        self.starts: list[int] | None = None
        self.flat_starts: list[int] = []
        if _ODD_SPACE.search(text):  # match with single spaces, report offsets in the original text
            pieces = _SPACES.split(text)
            self.starts = [0, *(m.end() for m in _SPACES.finditer(text))]
            pos = 0
            for piece in pieces:
                self.flat_starts.append(pos)
                pos += len(piece) + 1
            text = " ".join(pieces)
        self.text = text
        self.n = len(text)
        self._runs: list[tuple[int, str]] | None = None
        self.words = set(_RUN.findall(text))

    @property
    def runs(self) -> list[tuple[int, str]]:
        """(offset, run) of every whole run, left to right."""
        if self._runs is None:
            self._runs = [(m.start(), m.group()) for m in _RUN.finditer(self.text)]
        return self._runs


def _word(ch: str) -> bool:
    """``ch`` is what ``[\\w-]`` matches: a word character or a hyphen."""
    return ch.isalnum() or ch == "_" or ch == "-"


def _fold(text: str) -> str:
    """Lower-case ``text`` without changing its length (a character whose lower case is longer keeps its case)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _original(starts: list[int], flat_starts: list[int], i: int) -> int:
    """Offset in the original text of the character at ``i`` in its whitespace-collapsed form."""
    k = bisect.bisect_right(flat_starts, i) - 1
    return starts[k] + (i - flat_starts[k])


def _case_sensitive(alias: str) -> bool:
    return (alias.isupper() and len(alias) <= 4) or alias in {"IS", "AP"}


class _Index:
    """One kind of name (actors, places, ...): short acronyms matched with their case, everything else without."""

    def __init__(
        self, names: dict[str, tuple[str, ...]], check: Callable[[str, str], bool] | None = None, checked: frozenset[str] = frozenset(), *, fuzzy_heads: bool = False
    ) -> None:
        #: for keys in ``checked``, ``check(key, surface)`` says whether a case-insensitive hit may stand ("Hit" the town, not "hit")
        self.check = check
        self.checked = checked
        self.lookup: dict[str, str] = {}
        cs: list[str] = []
        ci: list[str] = []
        for key in sorted(names):
            for alias in names[key]:
                if not alias:
                    continue
                norm = " ".join(alias.split())
                target = cs if _case_sensitive(norm) else ci
                lkey = norm if target is cs else norm.lower()
                if lkey in self.lookup:
                    continue
                self.lookup[lkey] = key
                target.append(norm)
        #: last word -> (alias, key) of multi-word aliases, for misspelt heads ("Kait'ib Hezbollah" is Kata'ib Hezbollah)
        self.tails: dict[str, list[tuple[str, str]]] = {}
        if fuzzy_heads:
            for norm_alias, key in self.lookup.items():
                words = norm_alias.split()
                if len(words) >= 2 and len(norm_alias) >= 10:
                    self.tails.setdefault(words[-1].lower(), []).append((norm_alias.lower(), key))
        self.cs = _Names(cs, fold_case=False)
        self.ci = _Names(ci, fold_case=True)

    def find(self, text: str, scans: tuple[Scan, Scan] | None = None) -> list[Mention]:
        """The names of this kind in ``text``; ``scans`` (:meth:`Lexicon.scan` of ``text``) saves preparing it again."""
        cased, folded = scans or (Scan(text, False), Scan(text, True))
        return self.mentions(text, self.cs.spans_in(cased), self.ci.spans_in(folded))

    def mentions(self, text: str, cased: list[tuple[int, int]], folded: list[tuple[int, int]]) -> list[Mention]:
        """The names of this kind in ``text`` from the spans its case-sensitive and case-insensitive tables found there."""
        if not cased and not folded:
            return []
        hits = [(s, e, " ".join(text[s:e].split())) for s, e in cased]
        hits.extend((s, e, " ".join(text[s:e].split()).lower()) for s, e in folded)
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[Mention] = []
        last_end = -1
        for s, e, norm in hits:
            if s < last_end:
                continue
            key = self.lookup.get(norm)
            if key is None:
                continue
            if self.check is not None and key in self.checked and not self.check(key, text[s:e]):
                continue
            if self.tails:
                s, key = self._fuzzy_head(text, s, e, key, last_end)
            out.append(Mention(s, e, key, text[s:e]))  # offsets index the original text
            last_end = e
        return out

    #: how close (rapidfuzz ratio, 0-100) a misspelt multi-word name must be to a known alias
    FUZZY_HEAD_SCORE = 88

    def _fuzzy_head(self, text: str, s: int, e: int, key: str, floor: int) -> tuple[int, str]:
        """Widen a hit over the capitalised words before it when together they are a misspelling of a longer alias."""
        found = text[s:e]
        tail = found.split()[-1].lower()
        candidates = self.tails.get(tail)
        if not candidates:
            return s, key
        from rapidfuzz import fuzz

        before = re.search(r"((?:[A-Z][\w'-]*\s+){1,3})$", text[max(0, floor, s - 40) : s])
        if before is None:
            return s, key
        head = before.group(1)
        start = s - len(head)
        phrase = " ".join((head + found).split()).lower()
        n = len(phrase.split())
        best = max(((fuzz.ratio(phrase, alias), k) for alias, k in candidates if len(alias.split()) == n), default=(0.0, key))
        if best[0] >= self.FUZZY_HEAD_SCORE and best[1] != key:
            return start, best[1]
        return s, key


class Lexicon:
    """All names the extractor looks for, compiled once for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.actors = _Index({a.id: (a.name, *a.aliases, *_derived_names(a)) for a in kb.actors.values()}, fuzzy_heads=True)
        #: "ISIS-affiliated", "al-Qaeda-linked": a movement with branches named as a prefix, which whole-word matching misses
        #: movement -> its branches, in the knowledge base's order
        self.branches: dict[str, list[str]] = {}
        for actor in kb.actors.values():
            if actor.branch_of:
                self.branches.setdefault(actor.branch_of, []).append(actor.id)
        movements = sorted(self.branches)
        spelled = {name: m for m in movements for name in (kb.actors[m].name, *kb.actors[m].aliases) if len(name) > 2 or name.isupper()}
        self.movement_prefix = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) if len(n) <= 4 else "(?i:" + re.escape(n) + ")" for n in sorted(spelled, key=len, reverse=True)) + r")(?=-(?:" + AFFILIATION_WORDS + r")\b)")
            if spelled else None
        )
        self.movement_of_name = {n.lower(): m for n, m in spelled.items()}
        cased = frozenset(p.id for p in kb.places.values() if p.case_sensitive)
        known = {" ".join(n.split()).lower() for p in kb.places.values() for n in (p.name, *p.aliases)}
        self.places = _Index(
            {p.id: (p.name, *p.aliases, *(v for v in article_variants((p.name, *p.aliases)) if v.lower() not in known)) for p in kb.places.values()},
            kb.place_match_ok, cased,
        )  # a variant never takes another place's name ("Al-Fujairah" of Dibba is not "Fujairah")
        #: nationality words -> ISO-2: the knowledge base's demonyms over the built-in table
        self.demonyms: dict[str, str] = {**DEMONYMS, **{k.lower(): v for k, v in kb.demonyms.items()}}
        from .casualties import build_grammar

        self.casualty_grammar = build_grammar(self.demonyms)
        self.outlets = _Index({o.id: (o.name, *o.aliases) for o in kb.outlets.values()})
        self.speakers = _Index({s.id: (s.name, *s.aliases) for s in kb.speakers.values()})
        self.weapons = _Index({w.id: w.terms for w in kb.weapons.values()})
        #: ISO country -> the state actor of that country
        self.state_of_country: dict[str, str] = {}
        for actor in sorted(kb.actors.values(), key=lambda a: a.id):
            if actor.kind == "state" and actor.country and actor.country not in self.state_of_country:
                self.state_of_country[actor.country] = actor.id
        #: ISO country -> the government speaker of that country
        self.government_speaker: dict[str, str] = {}
        for speaker in sorted(kb.speakers.values(), key=lambda s: s.id):
            if speaker.kind == "government" and speaker.country and speaker.country not in self.government_speaker:
                self.government_speaker[speaker.country] = speaker.id
        self._ancestors: dict[str, tuple[str, ...]] = {pid: self._chain(pid) for pid in kb.places}
        #: attack type -> its family in weapons.yaml ("rocket attack" -> projectile)
        self.attack_family: dict[str, str] = {w.attack_type: w.family for w in kb.weapons.values() if w.family}
        kinds = (self.actors, self.places, self.outlets, self.speakers, self.weapons)
        self._cased_runs = merged_runs([k.cs for k in kinds])
        self._folded_runs = merged_runs([k.ci for k in kinds])

    @staticmethod
    def scan(text: str) -> tuple[Scan, Scan]:
        """``text`` made ready once for every kind of name (case-sensitive, case-insensitive): pass it to each ``find``."""
        return Scan(text, False), Scan(text, True)

    def find_all(self, text: str) -> tuple[list[Mention], list[Mention], list[Mention], list[Mention], list[Mention]]:
        """``find`` of every kind of name in ``text``: (actors, places, outlets, speakers, weapons).

        The ten tables (two case modes of five kinds) are searched in two walks
        over the text's runs (:func:`merged_runs`), not ten.
        """
        kinds = (self.actors, self.places, self.outlets, self.speakers, self.weapons)
        cased, folded = self.scan(text)
        cs = _walk(*self._cased_runs, cased, len(kinds))
        ci = _walk(*self._folded_runs, folded, len(kinds))
        found = [
            kind.mentions(text, _chosen(cs[n], cased) if cs else [], _chosen(ci[n], folded) if ci else [])
            for n, kind in enumerate(kinds)
        ]
        return found[0], found[1], found[2], found[3], found[4]

    def types_compatible(self, a: str | None, b: str | None) -> bool:
        """Whether two attack types can describe one attack: equal, one generic ("attack"), or of one family."""
        if a in (None, "attack") or b in (None, "attack") or a == b:
            return True
        fa, fb = self.attack_family.get(a or ""), self.attack_family.get(b or "")
        return bool(fa and fa == fb)

    def _chain(self, pid: str) -> tuple[str, ...]:
        chain: list[str] = []
        seen = {pid}
        entry = self.kb.places.get(pid)
        while entry is not None and entry.parent and entry.parent not in seen:
            chain.append(entry.parent)
            seen.add(entry.parent)
            entry = self.kb.places.get(entry.parent)
        return tuple(chain)

    def ancestors(self, place_id: str) -> tuple[str, ...]:
        """Parent, grandparent, ... of a gazetteer place (not including the country)."""
        return self._ancestors.get(place_id, ())

    def depth(self, place_id: str) -> int:
        """How specific a place is: countries 0, then one more per level of parents."""
        entry = self.kb.places.get(place_id)
        if entry is None:
            return -1
        if entry.kind == "country":
            return 0
        return 1 + len(self.ancestors(place_id)) + (1 if entry.kind in {"site", "district"} else 0)

    def state_for_demonym(self, word: str) -> str | None:
        """The state actor id for a nationality word or country name ("Iranian" -> ``iran``)."""
        iso = self.demonyms.get(word.lower())
        if iso:
            return self.state_of_country.get(iso)
        hits = self.actors.find(word)
        if len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(word):
            return hits[0].key
        return None


_CACHE: "weakref.WeakKeyDictionary[KnowledgeBase, Lexicon]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


#: what a leader's name makes of a group: "Sahrawi's group", "fighters loyal to Sahrawi", "the group led by Sahrawi"
_LEADER_FORMS = ("{}'s group", "{}'s fighters", "{}'s men", "{}'s militants", "{}'s organisation", "{}'s organization", "{}'s faction",
                 "{}'s movement", "{}'s network", "loyal to {}", "group led by {}", "faction led by {}", "fighters led by {}", "militants led by {}")
#: one movement's names spelt the ways reports spell them: "Islamic State in the Greater Sahara" is also "ISIS in the Greater Sahara"
_MOVEMENT_SPELLINGS = (("Islamic State ", ("ISIS ", "ISIL ", "IS ", "Daesh ")), ("al-Qaeda ", ("al-Qaida ", "al Qaeda ", "Al Qaeda ", "Al-Qaeda ")))


_BACKED_GROUP = re.compile(r"((?:pro-)?[A-Z][\w]*(?:-(?:backed|aligned|allied|supported|sponsored))?)\s+(?:militias?|groups?)")
_GROUP_NOUNS = ("militant groups", "militant group", "armed groups", "armed group", "militia groups", "militants", "fighters", "factions", "faction",
                "forces", "paramilitaries", "paramilitary groups")


#: the words that tie a group to a movement after a hyphen: "ISIS-affiliated", "al-Qaeda-linked"
AFFILIATION_WORDS = "affiliated|linked|aligned|allied|inspired|loyal"


def article_variants(names: tuple[str, ...]) -> list[str]:
    """A place name with its Arabic article joined the other way, and without it ("Al-Shaddadi": "Al Shaddadi", "Shaddadi").

    Case is the index's business: "al-Shaddadi" matches "Al-Shaddadi" case-insensitively and
    :meth:`~tripwire.knowledge.places.PlaceIndex.ok` accepts an article-led name in any case.
    """
    out: list[str] = []
    for name in names:
        m = ARTICLE.match(name)
        if m is None:
            continue
        bare = name[m.end() :]
        out.extend((f"Al-{bare}", f"Al {bare}"))
        if len(bare) >= 5 and " " not in bare:
            out.append(bare)  # "Mayadin"; short or several-word remainders ("Qaim", "Asad Air Base") only with the article
    return [n for n in dict.fromkeys(out) if n not in names]


def _derived_names(actor: Actor) -> list[str]:
    """Names a group goes by that follow from its data: spellings of its movement's name, and its leaders' names."""
    out: list[str] = []
    for alias in (actor.name, *actor.aliases):
        for prefix, others in _MOVEMENT_SPELLINGS:
            if alias.startswith(prefix) and len(alias.split()) >= 3:
                out.extend(o + alias[len(prefix) :] for o in others)
    if actor.kind == "category":  # "Iran-backed militia" -> "Iran-backed militant groups", "Iran-backed armed factions", ...
        for alias in actor.aliases:
            m = _BACKED_GROUP.fullmatch(alias)
            if m:
                out.extend(f"{m.group(1)} {noun}" for noun in _GROUP_NOUNS)
    for leader in actor.leaders:
        out.extend(form.format(leader) for form in _LEADER_FORMS)
    return out


def lexicon_for(kb: KnowledgeBase) -> Lexicon:
    """The compiled :class:`Lexicon` of ``kb`` (built on first use, then cached in memory and, for a
    knowledge base loaded from files, on disk: :mod:`tripwire.cache`)."""
    with _LOCK:
        lex = _CACHE.get(kb)
        if lex is None:
            lex = _from_disk(kb)
            _CACHE[kb] = lex
        return lex


def _from_disk(kb: KnowledgeBase) -> Lexicon:
    source = getattr(kb, "cache_key", None)
    if source is None:  # built by hand: nothing names its contents
        return Lexicon(kb)
    key = cache.key_for("lexicon", [source], code=(__name__, "tripwire.extract.casualties", "tripwire.knowledge.places"))

    def same_kb(obj: object) -> str | None:  # the lexicon refers to the knowledge base; pickle a reference, not a copy
        return "kb" if obj is kb else None

    lex = cache.load(key, persistent_load=lambda ref: kb)
    if not isinstance(lex, Lexicon) or lex.kb is not kb:
        lex = Lexicon(kb)
        cache.store(key, lex, persistent_id=same_kb)
    return lex
