"""Scoring extraction against hand-labelled cases (the ``gold.json`` layout of docs/evaluation.md).

A *corpus* is a folder of case folders; each case folder holds the articles
of one real event (``*.md``, ``*.txt``, ``*.html``) and a ``gold.json`` that
says what those articles support (:class:`~tripwire.model.GoldCase`). This
module is pure: it reads the corpus layout and scores what was extracted and
merged for one case against its labels. Running the extraction itself (a fresh
store per case, the same ingest/extract/merge path as ``tripwire brief``) is
the application layer's job (:func:`tripwire.app.evaluation.evaluate_extraction`).

How a case is scored:

* stored incidents are matched to the labelled event by date (within
  :data:`DATE_SLACK_DAYS`), place (the gold place words against the incident's
  place, its aliases and its parents) and country; every matched incident is
  a *fragment* of the event and the best-matching one is the *primary*, whose
  fields are scored (it is what a red-line check sees);
* ``attack`` cases count towards incident recall; incidents in ``none`` cases,
  and incidents in ``action`` cases that match the case's own event (a strike
  misread as an attack), are false positives;
* claims, US attributions, sponsor allegations, denials and dissent are
  scored on the primary incident (in ``statement`` cases, on every stored
  incident); gold actor names are resolved against the knowledge base, and a
  statement about a front group, a state organ or its state counts for the
  actor it stands for; a dissent note is met by the denial or dispute its
  subject made (the words before its first verb or colon: "Iran has denied
  ...", "Iranian FM Zarif: ...") even when that statement also met a
  ``denied_by`` name, since one reported denial is one fact, and otherwise by a
  denial or dispute not counted yet; the note's subject blaming someone the
  US did not name also meets it;
* labelled actions match stored actions of the same kind family, actor and
  date (within one day) whose target names the labelled target, when that
  target is a known actor or a person;
* labelled red lines match stored red-line statements one to one, by speaker.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import InputError
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionKind, AttributionStatement, GoldCase, Incident, RedLineStatement
from .lexicon import lexicon_for

#: A stored incident dated this many days from the labelled date can still be the labelled event.
DATE_SLACK_DAYS = 2
ARTICLE_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")

#: Gold action kinds -> stored action kinds that count as the same kind of action.
ACTION_KINDS: dict[str, frozenset[str]] = {
    "airstrike": frozenset({"airstrike", "drone-strike", "strike-ref", "other", "missile-strike"}),
    "assassination": frozenset({"assassination", "drone-strike", "airstrike"}),
    "vote": frozenset({"parliamentary-vote"}),
    "sanctions": frozenset({"sanctions"}),
    "seizure": frozenset({"seizure"}),
}

#: (metric, target, higher is better) in the order the table prints them.
METRICS: tuple[tuple[str, float | None, bool], ...] = (
    ("attack_recall", 0.95, True),
    ("attack_precision", 0.85, True),
    ("action_recall", 0.85, True),
    ("country", 0.95, True),
    ("date", 0.90, True),
    ("place", None, True),
    ("weapon", 0.90, True),
    ("us_killed", 0.90, True),
    ("us_wounded", None, True),
    ("false_us_killed", 0.0, False),
    ("claims", 0.90, True),
    ("us_attribution", 0.85, True),
    ("sponsor", None, True),
    ("denial_dissent", 0.80, True),
    ("red_lines", 0.80, True),
    ("fragments", 1.10, False),
)


@dataclass(frozen=True)
class CorpusCase:
    """One labelled case on disk: its labels and its article files."""

    gold: GoldCase
    folder: Path
    articles: tuple[Path, ...]


@dataclass
class CaseScore:
    """How the extraction did on one case: (hits, total) per field and what was missed."""

    case_id: str
    kind: str
    articles: int
    incidents: int = 0
    actions: int = 0
    redlines: int = 0
    fragments: int = 0
    primary: str | None = None
    false_positives: int = 0
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, name: str, hits: int, total: int) -> None:
        """Add ``hits`` out of ``total`` to a field."""
        h, t = self.fields.get(name, (0, 0))
        self.fields[name] = (h + hits, t + total)


# -- corpus layout ----------------------------------------------------------------


def load_corpus(folder: str | Path) -> list[CorpusCase]:
    """Every case folder under ``folder`` (sorted by name) with its labels and articles.

    Raises :class:`~tripwire.errors.InputError` naming the file when a
    ``gold.json`` is not valid JSON or not in the documented layout.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"corpus folder {root} does not exist or is not a folder")
    cases = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        gold_path = sub / "gold.json"
        if not gold_path.is_file():
            continue
        try:
            raw = json.loads(gold_path.read_text(encoding="utf-8"))
            gold = GoldCase.model_validate(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{gold_path}: cannot read labels: {exc}") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise InputError(f"{gold_path}: not in the gold.json layout: {where}: {first['msg']}") from exc
        articles = tuple(sorted(p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")))
        cases.append(CorpusCase(gold, sub, articles))
    if not cases:
        raise InputError(f"{root} holds no case folders with a gold.json")
    return cases


# -- names ------------------------------------------------------------------------


def norm(text: str) -> str:
    """Lower-case ASCII words: diacritics, hyphens, apostrophes and a leading article dropped."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).lower()
    t = re.sub(r"['\u2019\u02bf\u02bc`]", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t).strip()
    return re.sub(r"^(?:al|el|the)\s+", "", t)


def resolve_name(kb: KnowledgeBase, name: str) -> str | None:
    """The knowledge-base actor a plain gold name denotes ("Houthis", "IRGC"), else None."""
    head = re.split(r"\s*[(;]", name)[0].strip()
    for candidate in (head, name):
        found = kb.resolve_actor(candidate)
        if found:
            return found
    lex = lexicon_for(kb)
    hits = lex.actors.find(head)
    if hits:
        return max(hits, key=lambda m: m.end - m.start).key
    return None


def _related(kb: KnowledgeBase, stated: str, wanted: str) -> bool:
    """Whether a statement about ``stated`` counts for the gold actor ``wanted``."""
    if stated == wanted:
        return True
    a, b = kb.actors.get(stated), kb.actors.get(wanted)
    if a is None or b is None:
        return norm(stated.split(":")[-1]) == norm(wanted.split(":")[-1])
    return wanted in {a.front_for, a.part_of} or stated in {b.front_for, b.part_of} or (a.part_of is not None and a.part_of == b.part_of and a.kind == b.kind == "state-organ")


def _actor_ok(kb: KnowledgeBase, stated: str, gold_name: str) -> bool:
    wanted = resolve_name(kb, gold_name)
    if wanted is None:
        return norm(stated.split(":")[-1].replace("-", " ")) == norm(gold_name)
    return _related(kb, stated, wanted)


_US_ROLE = re.compile(r"\b(?:U\.?S\.?|American|Pentagon|Washington|White House|State Department|CENTCOM|AFRICOM|Central Command|Africa Command)\b", re.I)


def is_us_source(kb: KnowledgeBase, st: AttributionStatement) -> bool:
    """Whether a statement was made by the US government or an official of it."""
    src = st.asserted_by
    if src.speaker_id and src.speaker_id in kb.speakers and kb.speakers[src.speaker_id].country == "US":
        return True
    for text in (src.speaker, src.role):
        if not text:
            continue
        actor = resolve_name(kb, text)
        if actor and (kb.actors[actor].country == "US"):
            return True
        if _US_ROLE.search(text):
            return True
    return False


# -- places and dates -------------------------------------------------------------


def _place_words(kb: KnowledgeBase, inc: Incident | Action) -> set[str]:
    if inc.place is None:
        return set()
    words = {norm(inc.place.name)}
    pid = inc.place.gazetteer_id
    seen: set[str] = set()
    while pid and pid in kb.places and pid not in seen:
        seen.add(pid)
        entry = kb.places[pid]
        words |= {norm(entry.name), *(norm(a) for a in entry.aliases)}
        pid = entry.parent
        if pid is not None:  # ancestors count only with their own names, so "Anbar" matches Al Asad
            entry = kb.places.get(pid)
            if entry is not None:
                words |= {norm(entry.name), *(norm(a) for a in entry.aliases)}
            break
    return {w for w in words if w}


def place_ok(kb: KnowledgeBase, inc: Incident | Action, gold: GoldCase) -> bool:
    """Whether the incident's place (or its parent) is one of the labelled place words."""
    have = _place_words(kb, inc)
    for p in gold.places:
        want = norm(p)
        if not want:
            continue
        for w in have:
            if w == want or (len(want) >= 5 and (want in w or w in want)):
                return True
    return False


def date_ok(d: dt.date | None, gold: dt.date | None, slack: int = 0) -> bool:
    """Whether a date is the labelled date (within ``slack`` days)."""
    return d is not None and gold is not None and abs((d - gold).days) <= slack


def match_score(kb: KnowledgeBase, inc: Incident, gold: GoldCase) -> int:
    """How well an incident fits the labelled event; 0 means it is another event."""
    country = inc.place.country if inc.place else None
    p_ok = place_ok(kb, inc, gold)
    if country and gold.country and country != gold.country and not p_ok:
        return 0
    near = inc.date is not None and gold.date is not None and abs((inc.date - gold.date).days) <= DATE_SLACK_DAYS
    if inc.date is not None and gold.date is not None and not near:
        if inc.date_precision == "day" or not (inc.date.year == gold.date.year and inc.date.month == gold.date.month):
            return 0
    score = (3 if near else 0) + (3 if p_ok else 0) + (1 if country == gold.country else 0)
    if inc.date is None and not (p_ok or country == gold.country):
        return 0
    if inc.place is None and not near:
        return 0
    return score


def is_fragment(kb: KnowledgeBase, inc: Incident, primary: Incident, gold: GoldCase) -> bool:
    """Whether a matched incident is a piece of the labelled event rather than another attack the articles mention.

    Within a day of the labelled date (or undated), and at the primary's place,
    a place compatible with it, or no place below the country.
    """
    if inc is primary:
        return True
    if inc.date is not None and not date_ok(inc.date, gold.date, 1):
        return False
    if inc.place is None or place_ok(kb, inc, gold):
        return True
    entry = kb.places.get(inc.place.gazetteer_id or "")
    if entry is None or entry.kind == "country":
        return True
    from .places import compatible

    return compatible(lexicon_for(kb), primary.place, inc.place)


# -- weapons ----------------------------------------------------------------------


def weapon_class(kb: KnowledgeBase, weapon: str | None) -> str | None:
    """The gold weapon class of a stored weapon id (``rocket-107mm`` -> ``rocket``)."""
    if weapon is None:
        return None
    sig = kb.weapons.get(weapon)
    return sig.weapon_class if sig is not None else weapon


# -- scoring ----------------------------------------------------------------------


def _kinds(sts: Iterable[AttributionStatement], *kinds: AttributionKind) -> list[AttributionStatement]:
    return [s for s in sts if s.kind in kinds]


def _score_attributions(kb: KnowledgeBase, gold: GoldCase, sts: Sequence[AttributionStatement], score: CaseScore) -> None:
    K = AttributionKind
    claims = _kinds(sts, K.CLAIMED)
    if gold.kind != "action":
        for name in gold.claimed:
            hit = any(_actor_ok(kb, s.actor, name) for s in claims)
            score.add("claims", int(hit), 1)
            if not hit:
                score.missed.append(f"claim by {name}")
    alleged = _kinds(sts, K.ALLEGED, K.ASSESSED)
    for name in gold.us_attributed:
        hit = any(_actor_ok(kb, s.actor, name) and is_us_source(kb, s) for s in alleged)
        score.add("us_attribution", int(hit), 1)
        if not hit:
            score.missed.append(f"US attribution to {name}")
    for name in gold.sponsor_alleged:
        wanted = resolve_name(kb, name)
        hit = any((wanted is not None and s.sponsor == wanted) or _actor_ok(kb, s.actor, name) for s in alleged)
        score.add("sponsor", int(hit), 1)
        if not hit:
            score.missed.append(f"sponsor allegation against {name}")
    denials = _kinds(sts, K.DENIED)
    used: set[int] = set()
    for name in gold.denied_by:
        idx = next((i for i, s in enumerate(denials) if i not in used and (_actor_ok(kb, s.actor, name) or _speaker_is(kb, s, name))), None)
        score.add("denial_dissent", int(idx is not None), 1)
        if idx is None:
            score.missed.append(f"denial by {name}")
        else:
            used.add(idx)
    # a dissent note is met by a denial or dispute: the one its subject made (which may be the denial
    # already counted for ``denied_by``: one sentence is one fact), else one not counted yet; its subject
    # blaming someone the US did not ("the Iraqi military blamed an outlaw group") also dissents
    us_named = {s.actor for s in alleged if is_us_source(kb, s)}
    elsewhere = [s for s in alleged if not is_us_source(kb, s) and us_named and not any(_related(kb, s.actor, u) for u in us_named)]
    dissents = denials + _kinds(sts, K.DISPUTED)
    spare_count = len(dissents)
    dissents += elsewhere
    for_notes: set[int] = set()
    for note in gold.dissent:
        subject = note_subject(note)
        idx = next((i for i, s in enumerate(dissents) if i not in for_notes and _made_by(kb, s, subject)), None)
        if idx is None:
            idx = next((i for i in range(spare_count) if i not in for_notes and i not in used), None)
        score.add("denial_dissent", int(idx is not None), 1)
        if idx is None:
            score.missed.append("dissent: " + (note[:60] + "..." if len(note) > 60 else note))
        else:
            for_notes.add(idx)
            used.add(idx)


#: where a gold dissent note's subject ends: "Iranian FM Zarif: ...", "Iran has denied ...", "CBN News (...) ..."
_NOTE_SUBJECT_END = re.compile(
    r"[:(]|\s(?:has|have|had|is|was|were|are|also|consistently|repeatedly|said|says|denied|denies|rejected|rejects|dismissed|dismisses|called|"
    r"noted|argued|argues|disputed|disputes|blamed|believed|insisted|questioned|accused|made|saw|claimed|described|attributed)\b"
)


def note_subject(note: str) -> str:
    """Who a gold dissent note says dissented: the words before its first verb or colon."""
    m = _NOTE_SUBJECT_END.search(note)
    return (note[: m.start()] if m else note).strip()


def _made_by(kb: KnowledgeBase, st: AttributionStatement, subject: str) -> bool:
    """Whether ``subject`` (a gold note's dissenter) is who made the denial or dispute ``st``."""
    if not subject:
        return False
    if _speaker_is(kb, st, subject):
        return True
    speaker = st.asserted_by.speaker
    if speaker and norm(speaker.split()[-1]) in norm(subject).split():
        return True  # "Iranian FM Zarif" made the statement of "Mohammad Javad Zarif"
    wanted = resolve_name(kb, subject)
    return st.kind == AttributionKind.DENIED and wanted is not None and _related(kb, st.actor, wanted)  # "Iran has denied ...": the accused denying


def _speaker_is(kb: KnowledgeBase, st: AttributionStatement, name: str) -> bool:
    src = st.asserted_by
    wanted = resolve_name(kb, name)
    for text in (src.speaker, src.role):
        if text and wanted is not None and resolve_name(kb, text) == wanted:
            return True
    return False


def _score_incident_fields(kb: KnowledgeBase, gold: GoldCase, inc: Incident, score: CaseScore) -> None:
    checks: list[tuple[str, bool, str]] = []
    if gold.country:
        got = inc.place.country if inc.place else None
        checks.append(("country", got == gold.country, f"country {gold.country} (got {got or 'none'})"))
    if gold.date:
        checks.append(("date", inc.date == gold.date, f"date {gold.date} (got {inc.date or 'none'})"))
    if gold.places:
        checks.append(("place", place_ok(kb, inc, gold), f"place {gold.places[0]} (got {inc.place.name if inc.place else 'none'})"))
    if gold.weapon:
        got_w = weapon_class(kb, inc.weapon)
        checks.append(("weapon", got_w == gold.weapon, f"weapon {gold.weapon} (got {got_w or 'none'})"))
    if gold.us_killed is not None:
        got_k = inc.killed("US")
        checks.append(("us_killed", got_k == gold.us_killed, f"Americans killed {gold.us_killed} (got {got_k})"))
        if gold.us_killed == 0:
            score.add("false_us_killed", int(got_k > 0), 1)
    if gold.us_wounded is not None:
        got_w2 = inc.injured("US")
        checks.append(("us_wounded", got_w2 == gold.us_wounded, f"Americans wounded {gold.us_wounded} (got {got_w2})"))
    for name, ok, what in checks:
        score.add(name, int(ok), 1)
        if not ok:
            score.missed.append(what)


def _action_target_ok(kb: KnowledgeBase, stored: str | None, wanted: str | None) -> bool:
    if not wanted:
        return True
    lex = lexicon_for(kb)
    want_actors = {m.key for m in lex.actors.find(wanted)}
    people = {w.lower().removeprefix("al-") for w in re.findall(r"[A-Z][\w'-]+", re.split(r"\(", wanted)[0])}
    people -= {n.lower() for m in lex.actors.find(wanted) for n in m.text.split()}
    if not want_actors and not people:
        return True
    got = stored or ""
    got_actors = {m.key for m in lex.actors.find(got)}
    if want_actors & got_actors or any(_related(kb, g, w) for g in got_actors for w in want_actors):
        return True
    got_words = {w.lower().removeprefix("al-") for w in re.findall(r"[\w'-]+", got)}
    return bool(people and {p for p in people if len(p) > 3} & got_words)


def _score_actions(kb: KnowledgeBase, gold: GoldCase, actions: Sequence[Action], score: CaseScore) -> None:
    for ga in gold.actions:
        kinds = ACTION_KINDS.get(ga.kind)
        want_actor = resolve_name(kb, ga.actor) if ga.actor else None
        hit = False
        for a in actions:
            if kinds is not None and a.kind not in kinds:
                continue
            if ga.actor and not (a.actor and (_actor_ok(kb, a.actor, ga.actor) or (want_actor and _related(kb, a.actor, want_actor)))):
                continue
            if ga.date and not date_ok(a.date, ga.date, 1):
                continue
            if not _action_target_ok(kb, a.target, ga.target):
                continue
            hit = True
            break
        score.add("action_recall", int(hit), 1)
        if not hit:
            score.missed.append(f"action {ga.kind} by {ga.actor} on {ga.target} ({ga.date})")


_SPEAKER_STOP = frozenset(
    "the a an of and on in to by per via with from as earlier reported statement message government official officials senior spokesman "
    "spokesperson spokeswoman military ministry foreign office channel state tv house back".split()
)


def _speaker_tokens(text: str | None) -> set[str]:
    return {w for w in norm(text or "").split() if len(w) > 2 and w not in _SPEAKER_STOP}


def _score_redlines(kb: KnowledgeBase, gold: GoldCase, redlines: Sequence[RedLineStatement], score: CaseScore) -> None:
    lex = lexicon_for(kb)
    free = list(range(len(redlines)))
    pending = []
    for gr in gold.red_lines:
        want_ids = {m.key for m in lex.speakers.find(gr.speaker)} | {m.key for m in lex.actors.find(gr.speaker)}
        want_tok = _speaker_tokens(gr.speaker)
        idx = None
        for i in free:
            src = redlines[i].speaker
            have_ids = {src.speaker_id} | {m.key for t in (src.speaker, src.role) if t for m in (*lex.speakers.find(t), *lex.actors.find(t))}
            if (want_ids & have_ids) or (want_tok & (_speaker_tokens(src.speaker) | _speaker_tokens(src.role))):
                idx = i
                break
        if idx is None:
            pending.append(gr)
        else:
            free.remove(idx)
            score.add("red_lines", 1, 1)
    for gr in pending:  # a red line whose speaker was not recognised still counts once
        idx = next((i for i in free if not redlines[i].speaker.speaker and not redlines[i].speaker.role), None)
        if idx is not None:
            free.remove(idx)
        score.add("red_lines", int(idx is not None), 1)
        if idx is None:
            score.missed.append(f"red line by {gr.speaker}")


def score_case(
    kb: KnowledgeBase,
    gold: GoldCase,
    incidents: Sequence[Incident],
    actions: Sequence[Action],
    redlines: Sequence[RedLineStatement],
    *,
    articles: int = 0,
) -> CaseScore:
    """Score what was stored for one case against its labels."""
    score = CaseScore(case_id=gold.id, kind=gold.kind, articles=articles, incidents=len(incidents), actions=len(actions), redlines=len(redlines))
    matched = sorted(((match_score(kb, i, gold), len(i.documents), len(i.attributions), i) for i in incidents), key=lambda t: t[:3], reverse=True)
    matched = [t for t in matched if t[0] > 0]
    if gold.kind == "none":
        score.false_positives = len(incidents)
        if incidents:
            score.missed.append(f"{len(incidents)} incident(s) where none happened")
    elif gold.kind == "action":
        # the case's own strike stored as an attack: same day (+-1) and the labelled place (or no place to tell)
        own = [t for t in matched if date_ok(t[3].date, gold.date, 1) and (place_ok(kb, t[3], gold) or t[3].place is None)]
        score.false_positives = len(own)
        matched = own
        if matched:
            score.missed.append(f"the action was also stored as {len(matched)} incident(s)")
    if gold.kind == "attack":
        score.add("attack_recall", int(bool(matched)), 1)
        if matched:
            primary = matched[0][3]
            score.fragments = sum(1 for t in matched if is_fragment(kb, t[3], primary, gold))
            score.primary = primary.id
            _score_incident_fields(kb, gold, primary, score)
            _score_attributions(kb, gold, primary.attributions, score)
        else:
            score.missed.append("the attack (no matching incident)")
            _score_attributions(kb, gold, (), score)
    else:
        pool = [st for i in incidents for st in i.attributions] if gold.kind == "statement" else [st for t in matched for st in t[3].attributions]
        _score_attributions(kb, gold, pool, score)
    _score_actions(kb, gold, actions, score)
    _score_redlines(kb, gold, redlines, score)
    return score


def summarise(scores: Sequence[CaseScore]) -> dict[str, dict[str, float | int | None]]:
    """Corpus-level metrics: value, hits, total and target for each of :data:`METRICS`."""
    out: dict[str, dict[str, float | int | None]] = {}
    for name, target, higher in METRICS:
        if name == "attack_precision":
            tp = sum(s.fields.get("attack_recall", (0, 0))[0] for s in scores)
            fp = sum(s.false_positives for s in scores)
            hits, total = tp, tp + fp
            value = hits / total if total else None
        elif name == "fragments":
            detected = [s for s in scores if s.kind == "attack" and s.fragments]
            hits, total = sum(s.fragments for s in detected), len(detected)
            value = hits / total if total else None
        else:
            hits = sum(s.fields.get(name, (0, 0))[0] for s in scores)
            total = sum(s.fields.get(name, (0, 0))[1] for s in scores)
            value = (hits if name == "false_us_killed" else hits / total) if total else None
        met = None if target is None or value is None else (value >= target if higher else value <= target)
        out[name] = {"value": value, "hits": hits, "total": total, "target": target, "met": met}
    return out


@dataclass(frozen=True)
class ExtractionEvaluation:
    """What ``tripwire evaluate-extraction`` measured on a labelled corpus."""

    corpus: str
    cases: tuple[CaseScore, ...]
    metrics: dict[str, dict[str, float | int | None]]
    articles: int
    seconds: float
    extract_seconds: float

    @property
    def articles_per_second(self) -> float:
        """Articles through ingest, extraction and merging per second of wall time (whole run)."""
        return self.articles / self.seconds if self.seconds > 0 else 0.0
