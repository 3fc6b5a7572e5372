"""Compiled look-up tables built once per knowledge base.

The knowledge base's own ``find_*`` methods try every alias pattern in turn,
which is fine for one sentence but slow for thousands of articles. A
:class:`Lexicon` folds every alias of one kind into a single alternation
regex (longest alias first, so the longest name wins at each position), one
case-sensitive for short acronyms (``US``, ``IS``, ``KH``) and one
case-insensitive for everything else, and is cached per
:class:`~tripwire.knowledge.KnowledgeBase` instance.

It also holds the small tables of English words the extractor needs that are
not theatre knowledge: nationality adjectives and number words.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

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


def _trie_pattern(node: dict) -> str:  # type: ignore[type-arg]
    """Regex for a character trie: alternatives share prefixes, so matching costs O(length), not O(aliases)."""
    end = "" in node
    branches = []
    for ch in sorted(k for k in node if k):
        atom = r"\s+" if ch == " " else re.escape(ch)
        branches.append(atom + _trie_pattern(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if end else body


def _alt(aliases: list[str], fold_case: bool = False) -> str:
    """One regex matching any alias as a whole word, longest alias first at each position."""
    trie: dict = {}  # type: ignore[type-arg]
    for alias in set(aliases):
        node = trie
        for ch in " ".join(alias.split()):
            ch = ch.lower() if fold_case else ch
            node = node.setdefault(ch, {})
        node[""] = {}
    return r"(?<![\w-])" + _trie_pattern(trie) + r"(?![\w-])"


def _case_sensitive(alias: str) -> bool:
    return (alias.isupper() and len(alias) <= 4) or alias in {"IS", "AP"}


class _Index:
    """One kind of name (actors, places, ...) as two combined regexes."""

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
        self.cs = re.compile(_alt(cs)) if cs else None
        self.ci = re.compile(_alt(ci, fold_case=True), re.IGNORECASE) if ci else None
        self.ci_lower = re.compile(_alt(ci, fold_case=True)) if ci else None

    def find(self, text: str) -> list[Mention]:
        hits: list[tuple[int, int, str]] = []
        if self.cs is not None:
            hits.extend((m.start(), m.end(), " ".join(m.group(0).split())) for m in self.cs.finditer(text))
        if self.ci is not None:
            lowered = text.lower()
            if len(lowered) == len(text):  # same offsets: match the lower-cased text without IGNORECASE (faster)
                hits.extend((m.start(), m.end(), " ".join(m.group(0).split())) for m in self.ci_lower.finditer(lowered))
            else:
                hits.extend((m.start(), m.end(), " ".join(m.group(0).split()).lower()) for m in self.ci.finditer(text))
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
        from rapidfuzz import fuzz

        found = text[s:e]
        tail = found.split()[-1].lower()
        candidates = self.tails.get(tail)
        if not candidates:
            return s, key
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
        movements = sorted({a.branch_of for a in kb.actors.values() if a.branch_of})
        spelled = {name: m for m in movements for name in (kb.actors[m].name, *kb.actors[m].aliases) if len(name) > 2 or name.isupper()}
        self.movement_prefix = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) if len(n) <= 4 else "(?i:" + re.escape(n) + ")" for n in sorted(spelled, key=len, reverse=True)) + r")(?=-(?:affiliated|linked|aligned|allied|inspired|loyal)\b)")
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
    """The compiled :class:`Lexicon` of ``kb`` (built on first use, then cached)."""
    with _LOCK:
        lex = _CACHE.get(kb)
        if lex is None:
            lex = Lexicon(kb)
            _CACHE[kb] = lex
        return lex
