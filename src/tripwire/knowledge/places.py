"""Places and countries: spelling variants, case rules, name look-up and fuzzy fallback.

The gazetteer (``countries.csv``, ``provinces.csv``, ``cities.csv``,
``gazetteer.csv``, ``installations.csv``; see :mod:`tripwire.knowledge.base`)
is written with one or a few spellings per place. News writes Arabic, Persian,
Pashto and Somali names in many romanisations, so at load time every name and
alias goes through :func:`variants`, a small *general* generator (no per-place
lists): the Arabic article in its forms (``al-``/``al ``/``el-`` and the
assimilated ``ad-``, ``as-``, ``ash-``, ``ar-``, ``az-``...), the article-less
form when what remains is long enough, ``Ain``/``Ayn``, ``Deir``/``Dayr``,
``Tal``/``Tell``..., ``ou``/``oo`` -> ``u``, a final ``-ah`` -> ``-a``,
hyphen vs space vs none, apostrophes (and ʿ ʾ) dropped or curly, diacritics
stripped.

Each gazetteer entry has a ``match`` mode:

``any``
    case-insensitive (the default for hand-written entries);
``cased``
    the capitals of the alias must be capitals in the text ("Mosul", "MOSUL";
    not "mosul"); the default for names that come from GeoNames, which are
    proper nouns;
``exact-case``
    exactly as written ("Hit" but neither "hit" nor "HIT"): for towns whose
    names are English words.

:func:`case_ok` applies these rules to a matched surface string; words in
:data:`STOP_WORDS` are never place names at all.

:class:`PlaceIndex` resolves a single name (exact alias, then a spelling
skeleton, then a rapidfuzz fallback preferring the same country) and finds
place names in running text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

MATCH_MODES = ("any", "cased", "exact-case")

#: English words that are never accepted as a place name or alias (any case).
STOP_WORDS = frozenset(
    """
    a an the of in on at to by for from with as is it its be am are was were or and but not no nor so if
    man men bar bay bays mercy union victory peace hope liberty faith grace justice unity freedom salvation
    city town village port camp base fort hill hills mount valley river lake sea gulf coast bank
    north south east west central upper lower new old great little big grand
    new town old town downtown
    all any one two three four five six seven eight nine ten first last
    air land water oil gas fire war army navy police state states republic kingdom province region district
    governorate county capital border borders center centre market airport station road bridge
    god king queen prince lord saint st sheikh emir
    day days week year years time today tonight now then here there where when
    may march june july august
    mon tue wed thu fri sat sun
    us uk eu un
    gem bit cat dog ram bus van pan pin pot top tip ton toy tub tug hut hat hen ant ape
    aid aim arm art ash bag ban bat bed bee bow box boy cab cap car cow cry cup cut den dip dot dry dye
    ear egg elf end era eye fan far fat fee few fig fin fit fix fly fog fox fun fur gap gun gut guy
    ham hay hip hog hot ice ink inn jam jar jaw jet job jog joy key kid kit lab lap law lay leg let lid lie
    lip log lot low mad map mat mix mob mud mug nap net nut oak odd oil owl own pad pal paw pay pea pet pie
    pig pit pop pro pub pun pup put rag rat raw ray red rib rid rig rim rip rob rod rot row rub rug run
    sad sap saw say set sew shy sin sip sir sit six ski sky sly sob son soy spa spy sum tab tag tan tap
    tar tax tea tee tie tin toe tow try two use vet vow war wax web wet who why wig win wit woe wow yes yet
    zoo
    """.split()
) | frozenset({"new town", "old town", "old city", "city centre", "city center"})

#: Months and weekdays: never place aliases.
CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

#: Common English words that are also real town names ("Hit", "Salt"): such
#: entries match only exactly as written (``exact-case``) whatever their file says.
COMMON_WORDS = frozenset(
    """
    hit salt ur bad bam sale zone lodge dire ball main tin hot gap tar ore mine mines palm palms crater
    tanks well wells spring springs gates dome pier rest mission
    """.split()
)

_APOSTROPHES = "'’‘`´ʼʻʿʾ′"
_APOS_RE = re.compile(f"[{_APOSTROPHES}]")
_ARTICLE = r"(?:al|el|ad|adh|ar|as|ash|at|ath|az|an|ed|er|es|esh|et|ez|en|ul|ud|ur|us|uz|un|ut)"
_ARTICLE_RE = re.compile(rf"(?<![\w'’])({_ARTICLE})([- ])(?=[A-Za-z])", re.IGNORECASE)
_SUN = ("th", "dh", "sh", "t", "d", "r", "z", "s", "n")
#: token equivalence classes applied word by word (first letter's case kept)
_TOKEN_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ain", "ayn"),
    ("deir", "dayr", "dair"),
    ("tal", "tall", "tel", "tell"),
    ("jabal", "jebel", "jabel"),
    ("umm", "um"),
    ("abu", "abou"),
    ("bani", "beni"),
    ("sheikh", "shaykh", "shaikh"),
    ("qasr", "kasr"),
    ("mina", "minaa"),
    ("ras", "ra's"),
)
#: words that end a name without being part of the proper name ("Anbar province"): never hyphenated to it
_GENERIC = frozenset(
    "governorate province region county state district municipality emirate city town village camp base air airport "
    "port field oilfield refinery embassy consulate strip bank heights island islands valley river sea gulf bay".split()
)
_TOKEN_MAP = {t: g for g in _TOKEN_GROUPS for t in g}
_MAX_VARIANTS = 24


def fold(text: str) -> str:
    """``text`` without diacritics ("Hīt" -> "Hit", "Türkiye" -> "Turkiye")."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str) -> str:
    """A gazetteer id from a name ("Deir ez-Zor" -> ``deir-ez-zor``)."""
    s = _APOS_RE.sub("", fold(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def norm(text: str) -> str:
    """Whitespace-normalised, lower-cased form used as a look-up key."""
    return " ".join(text.split()).lower()


def is_latin(text: str) -> bool:
    """Whether every letter of ``text`` is Latin (after stripping diacritics)."""
    return all(ch.isascii() or not ch.isalpha() for ch in fold(text))


def _keep_case(template: str, word: str) -> str:
    return word[:1].upper() + word[1:] if template[:1].isupper() else word


def _articles(name: str) -> set[str]:
    """Article forms of every article in ``name``, one article varied at a time."""
    out: set[str] = set()
    if " " not in name and "-" not in name:
        return out
    for m in _ARTICLE_RE.finditer(name):
        art = m.group(1)
        rest = name[m.end() :]
        head = name[: m.start()]
        initial = m.start() == 0
        lead = next((c for c in _SUN if rest.lower().startswith(c)), None)
        forms = {"al-", "al "}
        if art.lower().startswith("e"):
            forms |= {"el-", "el "}
        if lead:
            forms |= {f"a{lead}-", f"a{lead} "}
            if art.lower().startswith("e"):
                forms |= {f"e{lead}-", f"e{lead} "}
        for form in forms:
            if initial and art[:1].isupper():
                form = form[:1].upper() + form[1:]
            out.add(head + form + rest)
        word = re.match(r"[A-Za-z]+", rest)
        if initial and word and len(word.group(0)) >= 4:
            out.add(rest[:1].upper() + rest[1:])  # "al-Qaim" -> "Qaim"
        if not initial and lead and art.lower()[-len(lead) :] == lead and word:
            joined = art + rest.lower()[: len(word.group(0))] + rest[len(word.group(0)) :]
            out.add(head + joined[:1].upper() + joined[1:])  # "Deir ez-Zor" -> "Deir Ezzor"
    out.discard(name)
    return out


def _tokens(name: str) -> set[str]:
    out: set[str] = set()
    words = name.split(" ")
    for i, w in enumerate(words):
        group = _TOKEN_MAP.get(w.lower())
        if group:
            for alt in group:
                if alt != w.lower():
                    out.add(" ".join([*words[:i], _keep_case(w, alt), *words[i + 1 :]]))
    return out


_VOWEL_RULES = tuple(
    (re.compile(pat), rep)
    for pat, rep in ((r"ou", "u"), (r"oo", "u"), (r"(?<=\w{3})ah\b", "a"), (r"(?<=\w{3})iyeh\b", "iya"), (r"(?<=\w{3})iya\b", "iyah"))
)
_VOWEL_HINT = re.compile(r"ou|oo|ah\b|iyeh\b|iya\b")
_HYPHEN_RE = re.compile(r"\s*-\s*")


def _vowels(name: str) -> set[str]:
    if not _VOWEL_HINT.search(name):
        return set()
    out = set()
    for pat, rep in _VOWEL_RULES:
        alt = pat.sub(rep, name)
        if alt != name:
            out.add(alt)
    return out


def _hyphens(name: str) -> set[str]:
    out = set()
    if "-" in name:
        out.add(_HYPHEN_RE.sub(" ", name))
    words = name.split(" ")
    # "Tal Afar" -> "Tal-Afar", "Abu Kamal" -> "Abu-Kamal" (a short first word), not "Great-Britain"
    if (
        len(words) == 2
        and 3 <= len(words[0]) <= 4
        and len(words[1]) >= 3
        and all(w[:1].isupper() and "-" not in w for w in words)
        and not _ARTICLE_RE.search(name)
        and words[1].lower() not in _GENERIC
    ):
        out.add("-".join(words))
    return out


def _apostrophes(name: str) -> set[str]:
    if not _APOS_RE.search(name):
        return set()
    return {_APOS_RE.sub("", name), _APOS_RE.sub("’", name), _APOS_RE.sub("'", name)} - {name}


def variants(name: str, limit: int = _MAX_VARIANTS) -> list[str]:
    """Other spellings of ``name`` (not including ``name``), at most ``limit`` of them.

    Rules apply in stages (diacritics, apostrophes, articles, hyphens, vowels,
    words); each stage works on everything the earlier ones produced, so
    "Ain al-Asad" gives "Ayn al-Asad", "Ain al Asad", "Ayn al Asad", ...
    """
    name = " ".join(name.split())
    if name.isascii() and " " not in name and "-" not in name and "'" not in name and "`" not in name and not _VOWEL_HINT.search(name):
        return []  # one plain word: nothing to vary (the common case, kept fast)
    seen = {name}
    stage = [name]
    folded = fold(name)
    if folded != name:
        seen.add(folded)
        stage.append(folded)
    for rule in (_apostrophes, _articles, _hyphens, _vowels, _tokens):
        new = []
        for s in stage:
            for alt in sorted(rule(s)):
                alt = " ".join(alt.split())
                if alt not in seen and len(seen) <= limit:
                    seen.add(alt)
                    new.append(alt)
        stage = stage + new
    seen.discard(name)
    return [v for v in stage if v in seen and v != name][:limit]


_SKEL_ARTICLE = re.compile(rf"\b{_ARTICLE}\s+")
_SKEL_JOINED = re.compile(r"\b[ae](th|dh|sh|[tdrzsn])\1(?=\w{2})")


def skeleton(name: str) -> str:
    """A coarse spelling key: "Deir ez-Zor", "Dayr al-Zour" and "Deir Ezzor" share one."""
    s = _APOS_RE.sub("", fold(name)).lower()
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = _SKEL_ARTICLE.sub("", " ".join(s.split()) + " ")
    s = _SKEL_JOINED.sub(lambda m: m.group(1), s)
    words = []
    for w in s.split():
        group = _TOKEN_MAP.get(w)
        words.append(group[0] if group else w)
    s = "".join(words)
    s = s.replace("ou", "u").replace("oo", "u").replace("o", "u").replace("ee", "i").replace("y", "i")
    s = re.sub(r"(.)\1+", r"\1", s)
    s = re.sub(r"(?<=\w{3})(?:ah|eh)$", "a", s)
    return s


_LETTER = re.compile(r"[^\W\d_]")


def acceptable(alias: str) -> bool:
    """Whether ``alias`` may be a place name at all (not a stop word, month, bare number...)."""
    low = norm(alias)
    if len(low) < 2 or low in STOP_WORDS or low in CALENDAR_WORDS or (not low.isascii() and fold(low) in STOP_WORDS):
        return False
    return _LETTER.search(low) is not None


def case_ok(alias: str, surface: str, match: str) -> bool:
    """Whether text ``surface`` (same letters as ``alias`` ignoring case) may stand for ``alias`` under ``match``.

    ``any`` always; ``cased`` when every capital of the alias is a capital in
    the text; ``exact-case`` only when identical (whitespace aside).
    """
    if match == "any":
        return True
    a, s = " ".join(alias.split()), " ".join(surface.split())
    if match == "exact-case":
        return a == s
    if len(a) != len(s):
        return a.lower() == s.lower()
    return all(not ca.isupper() or cs.isupper() for ca, cs in zip(a, s))


@dataclass(frozen=True)
class Country:
    """A country (ISO 3166-1), its codes, names and demonyms."""

    iso2: str
    iso3: str
    numeric: str
    fips: str | None
    name: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    place: str | None = None
    """The gazetteer id of the country's ``country`` entry."""


def trie_regex(aliases: Iterable[str], fold_case: bool) -> str:
    """One whole-word regex matching any of ``aliases``, longest first at each position."""
    trie: dict = {}  # type: ignore[type-arg]
    for alias in set(aliases):
        node = trie
        for ch in " ".join(alias.split()):
            node = node.setdefault(ch.lower() if fold_case else ch, {})
        node[""] = {}
    return r"(?<![\w-])" + _trie(trie) + r"(?![\w-])"


def _trie(node: dict) -> str:  # type: ignore[type-arg]
    end = "" in node
    branches = [(r"\s+" if ch == " " else re.escape(ch)) + _trie(node[ch]) for ch in sorted(k for k in node if k)]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if end else body


#: the Arabic article at the start of a place name: "Al-Shaddadi", "al Mayadin", "Al Qaim"
ARTICLE = re.compile(r"^[Aa]l[- ](?=[A-Z])")


def _article_key(name: str) -> str | None:
    """ "al-Shaddadi", "Al Shaddadi" -> "al shaddadi"; None for a name without the article."""
    m = re.match(r"^al[- ]", name, re.I)
    return "al " + name[m.end() :].lower() if m else None


class PlaceIndex:
    """Name look-up over final gazetteer entries: exact, skeleton, fuzzy; and text search.

    ``entries`` maps id -> an object with ``name``, ``aliases``, ``country``,
    ``match`` and ``kind`` (a :class:`~tripwire.knowledge.GazetteerEntry`).
    The regexes and the fuzzy table are built on first use.
    """

    FUZZY_CUTOFF = 90.0
    FUZZY_CUTOFF_SAME_COUNTRY = 86.0
    FUZZY_MIN_LENGTH = 5

    def __init__(self, entries: dict) -> None:  # type: ignore[type-arg]
        self.entries = entries
        self._exact: dict[str, list[tuple[str, str]]] | None = None
        self.skeletons: dict[str, list[str]] = {}
        self._regex: re.Pattern[str] | None = None
        self._fuzzy: tuple[list[str], list[str]] | None = None

    @property
    def exact(self) -> dict[str, list[tuple[str, str]]]:
        """Lower-cased alias -> [(place id, alias as written)], built on first use."""
        if self._exact is None:
            exact: dict[str, list[tuple[str, str]]] = {}
            for pid, e in self.entries.items():
                for alias in (e.name, *e.aliases):
                    written = " ".join(alias.split())
                    if not written:
                        continue
                    bucket = exact.setdefault(written.lower(), [])
                    if (pid, written) not in bucket:
                        bucket.append((pid, written))
            self._exact = exact
        return self._exact

    def _skeletons(self) -> dict[str, list[str]]:
        if not self.skeletons:
            for pid, e in self.entries.items():
                for alias in (e.name, *e.aliases):
                    sk = skeleton(alias)
                    if len(sk) >= 3:
                        bucket = self.skeletons.setdefault(sk, [])
                        if pid not in bucket:
                            bucket.append(pid)
        return self.skeletons

    def ok(self, pid: str, surface: str) -> bool:
        """Whether ``surface`` (a matched piece of text) may name place ``pid`` under its match mode."""
        entry = self.entries.get(pid)
        if entry is None:
            return False
        if entry.match == "any":
            return True
        if any(p == pid and case_ok(alias, surface, entry.match) for p, alias in self.exact.get(norm(surface), ())):
            return True
        # an article-led name is a proper name in any case ("al-Shaddadi"); without its article, as the gazetteer writes it ("Mayadin")
        wanted = _article_key(surface)
        for alias in (entry.name, *entry.aliases):
            if ARTICLE.match(alias) and ((wanted is not None and _article_key(alias) == wanted) or surface == alias[ARTICLE.match(alias).end() :]):  # type: ignore[union-attr]
                return True
        return False

    def _pick(self, pids: list[str], country: str | None) -> str | None:
        if country:
            same = [p for p in pids if self.entries[p].country == country]
            if same:
                return same[0]
        return pids[0] if pids else None

    def resolve(self, name: str, country: str | None = None, fuzzy: bool = True) -> str | None:
        """The id of the place ``name`` denotes: exact alias, then spelling skeleton, then fuzzy."""
        name = " ".join(name.split())
        if not name or not acceptable(name):
            return None
        hits = [pid for pid, alias in self.exact.get(name.lower(), ()) if case_ok(alias, name, self.entries[pid].match)]
        if not hits and name.lower().startswith("the "):
            return self.resolve(name[4:], country, fuzzy)
        if hits:
            return self._pick(hits, country)
        sk = skeleton(name)
        if len(sk) >= 4:
            pids = [p for p in self._skeletons().get(sk, ()) if self.entries[p].match != "exact-case"]
            if pids:
                return self._pick(pids, country)
        if not fuzzy or len(sk) < self.FUZZY_MIN_LENGTH:
            return None
        return self._fuzzy_resolve(sk, country)

    def _fuzzy_resolve(self, sk: str, country: str | None) -> str | None:
        from rapidfuzz import fuzz, process

        if self._fuzzy is None:
            keys = [k for k in self._skeletons() if len(k) >= self.FUZZY_MIN_LENGTH]
            self._fuzzy = (keys, [self.skeletons[k][0] for k in keys])
        keys, owners = self._fuzzy
        if country:
            idx = [i for i, p in enumerate(owners) if self.entries[p].country == country]
            best = process.extractOne(sk, [keys[i] for i in idx], scorer=fuzz.ratio, score_cutoff=self.FUZZY_CUTOFF_SAME_COUNTRY)
            if best is not None:
                return self._pick(self.skeletons[best[0]], country)
        best = process.extractOne(sk, keys, scorer=fuzz.ratio, score_cutoff=self.FUZZY_CUTOFF)
        return self._pick(self.skeletons[best[0]], country) if best is not None else None

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every place named in ``text`` as (start, end, id, matched text), longest match first, case rules applied."""
        if self._regex is None:
            self._regex = re.compile(trie_regex(self.exact, fold_case=True), re.IGNORECASE)
        out: list[tuple[int, int, str, str]] = []
        pos = 0
        while True:
            m = self._regex.search(text, pos)
            if m is None:
                break
            surface = m.group(0)
            pid = next((p for p, _a in self.exact.get(norm(surface), ()) if self.ok(p, surface)), None)
            if pid is not None:
                out.append((m.start(), m.end(), pid, surface))
                pos = m.end()
            else:
                # a case-rule miss ("hit" for Hit): try shorter names from the same start, then move on
                shorter = self._shorter(text, m.start(), m.end())
                if shorter is not None:
                    out.append(shorter)
                    pos = shorter[1]
                else:
                    pos = m.start() + 1
        return out

    def _shorter(self, text: str, start: int, end: int) -> tuple[int, int, str, str] | None:
        for stop in range(end - 1, start, -1):
            if text[stop - 1 : stop].isalnum() and not (stop < len(text) and (text[stop].isalnum() or text[stop] in "-_")):
                surface = text[start:stop]
                pid = next((p for p, _a in self.exact.get(norm(surface), ()) if self.ok(p, surface)), None)
                if pid is not None:
                    return (start, stop, pid, surface)
        return None


def expand(
    raw: list[tuple[object, int, int]],
    blocked: frozenset[str] = frozenset(),
    limit: int = _MAX_VARIANTS,
) -> dict[str, tuple[str, ...]]:
    """Final aliases per place id: explicit names plus :func:`variants`, each alias given to one place.

    ``raw`` holds (entry, tier, population) with ``tier`` 0 for the most
    trusted source (user files, then countries, hand-written, generated).
    An alias (case-insensitive) claimed by several places goes to the best
    claim: lower tier, then an explicit name over a generated variant, then
    the entry's own name over an alias, then the larger population. Generated
    (tier >= 3) aliases that are actor names (``blocked``, lower-cased) are
    dropped; stop words never become aliases. Variants are made of every
    name and alias, except that generated entries (tier >= 3, GeoNames) get
    variants of their name only: their aliases are already other spellings.
    Spellings that differ only in case are all kept (a case-sensitive
    matcher needs each).
    """
    claims: dict[str, tuple[tuple[int, int, int, int, int], str]] = {}
    wanted: dict[str, list[str]] = {}
    for order, (entry, tier, population) in enumerate(raw):
        pid = entry.id  # type: ignore[attr-defined]
        kept: list[str] = []
        written: set[str] = set()
        flags: dict[str, tuple[int, int]] = {}  # lower-cased -> (is variant, is not the name)
        generated = tier >= 3
        for i, alias in enumerate((entry.name, *entry.aliases)):  # type: ignore[attr-defined]
            alias = " ".join(alias.split())
            if alias in written:
                continue
            low = alias.lower()
            if low not in flags and (not acceptable(alias) or (i and generated and low in blocked)):
                continue
            written.add(alias)
            kept.append(alias)
            flags.setdefault(low, (0, 0 if i == 0 else 1))
        budget = limit if not generated else limit // 3
        for alias in kept[:] if not generated else kept[:1]:
            for var in variants(alias, limit):
                if var in written:
                    continue
                low = var.lower()
                if low not in flags and (not acceptable(var) or (generated and low in blocked)):
                    continue
                written.add(var)
                kept.append(var)
                flags.setdefault(low, (1, 1))
                budget -= 1
                if budget <= 0:
                    break
            if budget <= 0:
                break
        wanted[pid] = kept
        pop = -(population or 0)
        for low, (is_variant, not_primary) in flags.items():
            rank = (tier, is_variant, not_primary, pop, order)
            old = claims.get(low)
            if old is None or rank < old[0]:
                claims[low] = (rank, pid)
    out: dict[str, tuple[str, ...]] = {}
    for entry, _tier, _pop in raw:
        pid = entry.id  # type: ignore[attr-defined]
        name = " ".join(entry.name.split())  # type: ignore[attr-defined]
        out[pid] = tuple(a for a in wanted[pid] if a != name and claims[a.lower()][1] == pid)
    return out
