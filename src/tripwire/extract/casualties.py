"""Casualty reports: who was killed or injured, how many, of what nationality and kind.

Three shapes are recognised inside one sentence:

* active: "killing a child and injuring five civilians", "killed 25 of its fighters",
  "killing two American service members and a British soldier";
* passive: "Four US service members and two members of the Iraqi security forces
  were wounded", "no Americans were killed";
* explicit zero: "No casualties were reported at the US embassy" gives a killed 0
  and an injured 0 entry (nationality ``US`` when the clause names US people or
  places, else ``None``).

Counts come from digits or number words ("a child" = 1, "a dozen" = 12); vague
words ("several", "dozens") and qualifiers ("at least", "about") set
``approximate``. A count over :data:`MAX_COUNT` is implausible and dropped.
A subset introduced by "among them" / "including" is split off the preceding
total so nobody is counted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from . import prefilter
from ..model import Casualty
from .lexicon import DEMONYMS, NUMBER_WORDS, PERSON_DEMONYMS, VAGUE_NUMBERS

MAX_COUNT = 1_000_000

CATEGORY_NOUNS: dict[str, str | None] = {
    "child": "child", "children": "child", "boy": "child", "boys": "child", "girl": "child", "girls": "child",
    "kid": "child", "kids": "child", "toddler": "child",
    "civilian": "civilian", "civilians": "civilian", "resident": "civilian", "residents": "civilian",
    "bystander": "civilian", "bystanders": "civilian", "passer-by": "civilian", "passers-by": "civilian",
    "contractor": "contractor", "contractors": "contractor",
    "service member": "service-member", "service members": "service-member", "servicemember": "service-member",
    "servicemembers": "service-member", "soldier": "service-member", "soldiers": "service-member", "troops": "service-member",
    "trooper": "service-member", "troopers": "service-member", "marine": "service-member", "marines": "service-member",
    "sailor": "service-member", "sailors": "service-member", "airman": "service-member", "airmen": "service-member",
    "serviceman": "service-member", "servicemen": "service-member", "personnel": "service-member",
    "fighter": "fighter", "fighters": "fighter", "militiaman": "fighter", "militiamen": "fighter",
    "militant": "fighter", "militants": "fighter", "combatant": "fighter", "combatants": "fighter",
    "police officer": "police", "police officers": "police", "policeman": "police", "policemen": "police",
    "guard": "guard", "guards": "guard",
    "commando": "service-member", "commandos": "service-member", "special forces": "service-member",
    "special operations forces": "service-member", "special forces soldiers": "service-member", "paratroopers": "service-member",
    "green beret": "service-member", "green berets": "service-member", "navy seal": "service-member", "navy seals": "service-member",
    "crew member": "crew", "crew members": "crew", "crewmembers": "crew", "crew": "crew", "mariners": "crew", "seafarers": "crew", "sailors aboard": "crew",
    "worker": "civilian", "workers": "civilian", "employee": "civilian", "employees": "civilian", "diplomat": "diplomat", "diplomats": "diplomat",
    "advisers": "service-member", "advisors": "service-member", "adviser": "service-member", "advisor": "service-member",
    "captain": "crew", "captains": "crew", "crewman": "crew", "crewmen": "crew", "seaman": "crew", "seamen": "crew", "engineer": "crew", "engineers": "crew",
    "pilot": "service-member", "pilots": "service-member", "interpreter": "civilian", "interpreters": "civilian", "translator": "civilian",
    "journalist": "civilian", "journalists": "civilian", "aid worker": "civilian", "aid workers": "civilian", "driver": "civilian", "drivers": "civilian",
    "national": None, "nationals": None, "citizen": None, "citizens": None, "man": None, "men": None, "woman": "civilian", "women": "civilian",
    "person": None, "people": None, "persons": None, "others": None, "more": None,
}
#: Category nouns that name units of one country's forces: "three Green Berets" are American.
UNIT_NATIONALITY: dict[str, str] = {"green beret": "US", "green berets": "US", "navy seal": "US", "navy seals": "US"}
#: Modifier words naming a country's government or forces: "two Defense Department contractors" are American.
ORG_NATIONALITY: dict[str, str] = {"pentagon": "US", "dod": "US", "department": "US", "centcom": "US", "africom": "US"}
_FORCE_NOUNS = r"(?:security\s+forces|armed\s+forces|army|military|police|forces|coalition|counterterrorism\s+service)"
_BASE_MODIFIERS = {"u.s.", "us-led", "civilian", "coalition", "security", "private",
     "military", "local", "young", "foreign", "defense", "defence", "other", "more", "additional", "female", "male", "senior",
     "pentagon", "dod", "department", "army", "navy", "air", "force", "marine", "service", "active-duty", "reserve", "national", "guard",
     "special", "operations", "elite", "wounded", "injured", "dead"}

_QUAL = r"(?P<qual>(?:at\s+least|about|around|roughly|nearly|almost|more\s+than|over|up\s+to|some|an\s+estimated|as\s+many\s+as)\s+)?"
_COUNT_WORDS = sorted([*NUMBER_WORDS, *VAGUE_NUMBERS, "no"], key=lambda w: (-len(w), w))
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)"
#: "twenty-five", "one hundred and twenty", "three dozen": number phrases of several words (converted by text2num)
_COMPOUND = _UNITS + r"(?:(?:-|\s+(?:and\s+)?)" + _UNITS + r")+|" + _UNITS + r"\s+dozen"
_COUNT = r"(?P<count>\d[\d,]*(?!\d)|" + _COMPOUND + "|" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _COUNT_WORDS) + r")"
_OF = r"(?P<of>\s+of\s+(?:its|their|them|the\s+(?:[\w'-]+\s+)?(?:group|militia|organi[sz]ation)'s|the\s+[\w'-]+'s))?"


@dataclass(frozen=True)
class CasualtyGrammar:
    """The compiled noun-phrase pattern for one table of nationality words (the knowledge base's demonyms)."""

    np: prefilter.Prefiltered
    demonyms: dict[str, str]
    persons: frozenset[str]


def person_demonyms(demonyms: dict[str, str]) -> frozenset[str]:
    """Demonyms that name people on their own ("two Kenyans", "an American"), not only adjectives ("British", "French")."""
    return frozenset(w for w in demonyms if " " not in w and "." not in w and not re.search(r"(?:ish|ch|sh|ese|ss)$", w) and len(w) > 3)


def build_grammar(demonyms: dict[str, str]) -> CasualtyGrammar:
    """Compile the casualty noun phrase for ``demonyms`` (lower-case word -> ISO-2)."""
    modifiers = sorted({*(k for k in demonyms if "." not in k and " " not in k), *_BASE_MODIFIERS}, key=lambda w: (-len(w), w))
    persons = person_demonyms(demonyms) | PERSON_DEMONYMS
    mods = r"(?P<mods>(?:\s+(?:" + "|".join(re.escape(m) for m in modifiers) + r"))*)"
    person = "|".join(sorted(persons, key=lambda w: -len(w)))
    noun = (
        r"\s+(?P<noun>members?\s+of\s+the(?P<fmods>(?:\s+(?:" + "|".join(re.escape(m) for m in modifiers) + r"))*)\s+" + _FORCE_NOUNS
        + "|" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(CATEGORY_NOUNS, key=lambda n: -len(n)))
        + "|" + person + r")\b"
    )
    np = _QUAL + r"\b" + _COUNT + r"(?P<other>\s+(?:other|more|additional))?" + _OF + mods + noun
    return CasualtyGrammar(prefilter.compile(np, re.I), dict(demonyms), frozenset(persons))


DEFAULT_GRAMMAR = build_grammar(DEMONYMS)
MODIFIERS = sorted({*(k for k in DEMONYMS if "." not in k and " " not in k), *_BASE_MODIFIERS}, key=lambda w: (-len(w), w))

_VERB = prefilter.compile(r"\b(?P<verb>kill(?:ed|ing|s)?|wound(?:ed|ing|s)?|injur(?:ed|ing|es|e)|hurt(?:ing)?)\b", re.I)
_EITHER = prefilter.compile(r"\s+(?:or|and/or)\s+(?:kill|wound|injur|hurt)\w*", re.I)
_EITHER_BEFORE = prefilter.compile(r"(?:kill|wound|injur|dead)\w*\s+(?:or|and/or)\s+$", re.I)
_LIST_SEP = prefilter.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)", re.I)
_PASSIVE = prefilter.compile(
    r",?\s+(?:(?:(?:were|was|had\s+been|have\s+been|has\s+been|are|is|got)\s+(?:(?:also|reportedly|later|all|slightly|seriously|critically|lightly|badly|fatally)\s+)?(?P<verb>killed|wounded|injured|hurt|dead)\b"
    r"|(?P<bare>killed|wounded|injured|dead)\b(?!\s+(?:(?:at\s+least|about|nearly|more\s+than)\s+)?(?:an?|the|his|her|their|its|\d|one|two|three|four|five|six|seven|eight|nine|ten|dozens|several|scores|hundreds)\b))"
    # "two service members were treated for minor injuries", "suffered traumatic brain injuries": wounded
    r"|(?:(?:were|was|had\s+been|have\s+been|has\s+been|are|is)\s+(?:\w+\s+)?treated\s+for|(?:had\s+|have\s+|has\s+)?(?:suffered|sustained|received))"
    r"\s+(?:[\w-]+\s+){0,3}?(?P<inj>injuries|wounds|concussions|injury|wound|concussion)\b)",
    re.I,
)
_SUBSET = prefilter.compile(r"\b(?:among\s+them|among\s+whom|including)\s+", re.I)
_ZERO = prefilter.compile(r"\bno\s+(?:(?:immediate|reported)\s+)?(?:casualties|injuries|deaths|fatalities)\b|\bno\s+one\s+was\s+(?:killed|hurt|injured)\b|\bwithout\s+casualties\b", re.I)
_US_CONTEXT = prefilter.compile(r"\b(?:US|U\.S\.|American|Americans|coalition)\b")


@dataclass(frozen=True)
class CasualtyMention:
    """A casualty report with offsets relative to the sentence searched."""

    start: int
    end: int
    casualty: Casualty
    #: "25 of its fighters": the victims belong to the actor just named (nationality from it)
    possessive: bool = False
    #: "among them a US service member": a part of the preceding total
    subset: bool = False


def _status(verb: str) -> str:
    return "killed" if verb.lower().startswith("kill") else "injured"


def _count(word: str, qual: str | None) -> tuple[int, bool] | None:
    w = " ".join(word.lower().split())
    approx = bool(qual and qual.strip().lower() not in {"some"})
    if w[0].isdigit():
        n = int(w.replace(",", ""))
    elif w == "no":
        n = 0
    elif w in VAGUE_NUMBERS:
        return VAGUE_NUMBERS[w], True
    elif w in NUMBER_WORDS:
        n = NUMBER_WORDS[w]
    elif w.endswith(" dozen") and w.split()[0] in NUMBER_WORDS:
        n = NUMBER_WORDS[w.split()[0]] * 12
    else:
        try:
            n = int(text2num(w, "en"))
        except ValueError:
            return None
    return (n, approx) if n <= MAX_COUNT else None


def _casualty(m: re.Match[str], status: str, g: CasualtyGrammar = DEFAULT_GRAMMAR) -> tuple[Casualty, bool] | None:
    counted = _count(m.group("count"), m.group("qual"))
    if counted is None:
        return None
    n, approx = counted
    noun = " ".join(m.group("noun").lower().split())
    words = (m.group("mods") or "").lower().split()
    nationality = None
    if noun.startswith("member"):
        category: str | None = "service-member"
        words += (m.group("fmods") or "").lower().split()
    elif noun in g.persons:
        category, nationality = None, g.demonyms.get(noun) or DEMONYMS.get(noun)
    else:
        category = CATEGORY_NOUNS.get(noun)
    for w in words:
        if w in g.demonyms and nationality is None:
            nationality = g.demonyms[w]
        if w == "civilian" and category is None:
            category = "civilian"
    if nationality is None:
        nationality = UNIT_NATIONALITY.get(noun)
    if nationality is None and "department" in words and ("defense" in words or "defence" in words):
        nationality = "US"  # "Defense Department contractors"
    elif nationality is None and any(ORG_NATIONALITY.get(w) and w != "department" for w in words):
        nationality = next(ORG_NATIONALITY[w] for w in words if ORG_NATIONALITY.get(w) and w != "department")
    if m.group("count").lower() in {"a", "an"} and noun.endswith("s") and noun not in {"troops", "personnel"}:
        return None  # "a US forces ..." is not a count
    return Casualty(status=status, count=n, nationality=nationality, category=category, approximate=approx), bool(m.group("of"))


def _np_list(text: str, pos: int, g: CasualtyGrammar = DEFAULT_GRAMMAR) -> list[re.Match[str]]:
    """NPs starting exactly at ``pos`` and continuing through ', ' / ' and '."""
    out = []
    while True:
        m = g.np.match(text, pos)
        if not m or text[pos : m.start("count")].strip() not in {"", (m.group("qual") or "").strip()}:
            break
        out.append(m)
        sep = _LIST_SEP.match(text, m.end())
        if not sep:
            break
        pos = sep.end()
    return out


def _appositive_split(items: list[CasualtyMention]) -> list[CasualtyMention]:
    """"two crew members, a Briton and a Romanian": the people after the count are the same two, by nationality."""
    if len(items) < 3:
        return items
    head, rest = items[0], items[1:]
    if head.casualty.nationality is None and all(c.casualty.nationality for c in rest) and head.casualty.count == sum(c.casualty.count for c in rest):
        return [CasualtyMention(c.start, c.end, c.casualty.model_copy(update={"category": c.casualty.category or head.casualty.category}), c.possessive, c.subset) for c in rest]
    return items


def _share_nationality(items: list[CasualtyMention]) -> list[CasualtyMention]:
    """"One US service member and two contractors": one nationality named in a list of victims covers its service members and contractors."""
    nats = {c.casualty.nationality for c in items if c.casualty.nationality}
    if len(nats) != 1:
        return items
    nat = nats.pop()
    return [
        CasualtyMention(c.start, c.end, c.casualty.model_copy(update={"nationality": nat}), c.possessive, c.subset)
        if c.casualty.nationality is None and c.casualty.category in {"contractor", "service-member"}
        else c
        for c in items
    ]


def find_casualties(text: str, grammar: CasualtyGrammar | None = None) -> list[CasualtyMention]:
    """Every casualty report in one sentence, in order of appearance (``grammar``: the lexicon's, for its demonyms)."""
    g = grammar or DEFAULT_GRAMMAR
    found: list[CasualtyMention] = []
    covered: list[tuple[int, int]] = []
    # active: verb then NP list
    for v in _VERB.finditer(text):
        if _EITHER.match(text, v.end()) or _EITHER_BEFORE.search(text, 0, v.start()):
            continue  # "killing or wounding 20 people": neither count is known
        pos = v.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
        batch: list[CasualtyMention] = []
        for m in _np_list(text, pos, g):
            got = _casualty(m, _status(v.group("verb")), g)
            if got:
                batch.append(CasualtyMention(m.start(), m.end(), got[0], got[1]))
                covered.append((m.start(), m.end()))
        found.extend(_share_nationality(_appositive_split(batch)))
    # passive: NP list then were/was killed
    for p in _PASSIVE.finditer(text):
        head = text[: p.start()]
        starts = [m.start() for m in re.finditer(r"(?:^|(?<=[\s,;(]))\S", head)]
        for s in starts:
            nps = _np_list(text, s, g)
            if nps and nps[-1].end() == p.start():
                batch = []
                for m in nps:
                    if any(cs <= m.start() < ce for cs, ce in covered):
                        continue
                    got = _casualty(m, _status(p.group("verb") or p.group("bare") or "injured"), g)
                    if got:
                        batch.append(CasualtyMention(m.start(), m.end(), got[0], got[1]))
                        covered.append((m.start(), m.end()))
                found.extend(_share_nationality(_appositive_split(batch)))
                break
    # subsets: "..., among them a US service member" (status of the total just before)
    for sub in _SUBSET.finditer(text):
        before = [c for c in found if c.end <= sub.start()]
        if not before:
            continue
        status = max(before, key=lambda c: c.end).casualty.status
        for m in _np_list(text, sub.end(), g):
            if any(cs <= m.start() < ce for cs, ce in covered):
                continue
            got = _casualty(m, status, g)
            if got:
                found.append(CasualtyMention(m.start(), m.end(), got[0], got[1], subset=True))
                covered.append((m.start(), m.end()))
    for z in _ZERO.finditer(text):
        clause_end = text.find(",", z.end())
        clause = text[z.start() : clause_end if clause_end > 0 else len(text)]
        nat = "US" if _US_CONTEXT.search(clause) or "embassy" in clause.lower() else None
        for status in ("killed", "injured"):
            found.append(CasualtyMention(z.start(), z.end(), Casualty(status=status, count=0, nationality=nat)))
    found.extend(_elliptical(text, found, covered))
    found.extend(_tolls(text, g, covered))
    found.sort(key=lambda c: c.start)
    return _split_subsets(_others_like_before(text, found))


#: "Three U.S. troops were killed and dozens wounded": a second count of the same people, its noun left out
_ELLIPTICAL = prefilter.compile(r"\b(?:killed|wounded|injured|hurt|dead)\s*,?\s+and\s+" + _QUAL + _COUNT + r"\s+(?:(?:more|others?)\s+)?(?:(?:were|was)\s+)?(?P<verb>wounded|injured|hurt|killed)\b", re.I)
#: "the number of U.S. troops wounded has risen to more than 40", "the death toll rose to 12": a toll as it stands now
_TOLL = prefilter.compile(
    r"\b(?:number\s+of\s+(?P<np>[^,;]{1,60}?)\s+(?P<verb>killed|wounded|injured|hurt|dead)|(?P<toll>death\s+toll|toll))\s+(?:[^,.;]{0,60}?\s)?"
    r"(?:has\s+|had\s+|have\s+)?(?:risen|rose|climbed|increased|grown|jumped|reached|stands\s+at|stood\s+at)\s+(?:to\s+)?" + _QUAL + _COUNT + r"\b",
    re.I,
)


def _elliptical(text: str, found: list[CasualtyMention], covered: list[tuple[int, int]]) -> list[CasualtyMention]:
    out = []
    for m in _ELLIPTICAL.finditer(text):
        if any(cs <= m.start("count") < ce for cs, ce in covered):
            continue
        lead = max((c for c in found if c.end <= m.start()), key=lambda c: c.end, default=None)
        counted = _count(m.group("count"), m.group("qual"))
        if lead is None or counted is None:
            continue
        like = lead.casualty.model_copy(update={"status": _status(m.group("verb")), "count": counted[0], "approximate": counted[1]})
        out.append(CasualtyMention(m.start("count"), m.end(), like))
    return out


#: the category nouns that name a category, longest first ("service members" before "members")
_NOUNS_LONGEST_FIRST = sorted(((n, c) for n, c in CATEGORY_NOUNS.items() if c), key=lambda kv: -len(kv[0]))


def _tolls(text: str, g: CasualtyGrammar, covered: list[tuple[int, int]]) -> list[CasualtyMention]:
    out = []
    for m in _TOLL.finditer(text):
        if any(cs <= m.start("count") < ce for cs, ce in covered):
            continue
        counted = _count(m.group("count"), m.group("qual"))
        if counted is None:
            continue
        words = (m.group("np") or "").lower().replace(".", "").split()
        nationality = next((g.demonyms[w] for w in words if w in g.demonyms), None)
        if nationality is None and ("us" in words or "american" in words):
            nationality = "US"
        phrase = " " + " ".join(words) + " "
        category = next((c for n, c in _NOUNS_LONGEST_FIRST if f" {n} " in phrase), None)
        status = "killed" if m.group("toll") else _status(m.group("verb"))
        out.append(CasualtyMention(m.start("count"), m.end(), Casualty(status=status, count=counted[0], nationality=nationality, category=category, approximate=counted[1])))
    return out


_OTHERS = prefilter.compile(r"\b(?:others?|another)\b", re.I)


def _others_like_before(text: str, found: list[CasualtyMention]) -> list[CasualtyMention]:
    """"Three Green Berets were killed and two others were wounded": the others are of the people just named."""
    out: list[CasualtyMention] = []
    for c in found:
        prev = next((o for o in reversed(out) if o.casualty.nationality and o.casualty.count > 0), None)
        if prev is not None and c.casualty.nationality is None and _OTHERS.search(text[c.start : c.end]):
            like = {"nationality": prev.casualty.nationality, "category": c.casualty.category or prev.casualty.category}
            c = CasualtyMention(c.start, c.end, c.casualty.model_copy(update=like), c.possessive, c.subset)
        out.append(c)
    return out


def _split_subsets(found: list[CasualtyMention]) -> list[CasualtyMention]:
    out: list[CasualtyMention] = []
    for cm in found:
        if cm.subset:
            for j in range(len(out) - 1, -1, -1):
                total = out[j].casualty
                if total.status == cm.casualty.status and total.nationality is None and total.count >= cm.casualty.count:
                    rest = total.model_copy(update={"count": total.count - cm.casualty.count})
                    out[j] = CasualtyMention(out[j].start, out[j].end, rest, out[j].possessive)
                    break
        out.append(cm)
    return out
