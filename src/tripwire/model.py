"""Tripwire's domain types, all in one place.

Every type here is an immutable pydantic model: it validates on construction,
serialises to JSON with ``model_dump(mode="json")`` and is hashable where that
is useful. Identifiers are short strings; actor ids are the slugs used in the
knowledge base (``kataib-hezbollah``, ``iran``, ``isis``); countries and
nationalities are ISO 3166-1 alpha-2 codes (``US``, ``IQ``, ``IR``).

The chain of types follows the pipeline::

    Document  --extract-->  Extraction(incidents, actions, red-line statements)
    Incident  --attribute-> AttributionResult(posterior over Hypothesis, evidence)
    RedLineRule x Incident x AttributionResult --check--> Evaluation
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from enum import Enum
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


def without_nul(value: Any) -> Any:
    """``value`` with every NUL character (U+0000) removed from its strings (and those of a list, tuple or dict in it).

    The one cleaning rule every domain model applies to its input: PostgreSQL
    refuses NUL in text and JSONB, SQLite keeps it, so a NUL in a POST field, a
    CSV cell or a feed title (``&#0;``) would be stored on one backend and fail
    on the other. It is dropped, like the stray NULs ingest removes from text.
    """
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, (list, tuple)):
        return type(value)(without_nul(v) for v in value) if _has_nul(value) else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()} if _has_nul(value) else value
    return value


def _has_nul(value: Any) -> bool:
    # plain loops: this runs on every field of every model built, and a generator per call costs more than the test
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, str) and "\x00" in v:
                return True
        return False
    if isinstance(value, dict):
        for k, v in value.items():
            if (isinstance(k, str) and "\x00" in k) or (isinstance(v, str) and "\x00" in v):
                return True
        return False
    return False

from .icd203 import ICD203_SCALE, icd203_phrase  # noqa: F401 - re-exported: the ICD 203 words have one definition, in icd203
from .icd203 import PHRASES, analytic_confidence, interval_width

#: The longest id of an incident, action, red-line rule or actor (the store's key columns are this wide on every backend).
MAX_ID_CHARS = 200
#: The length of a document id (a SHA-256 hex digest, :func:`content_hash`) and of any other stored hash.
HASH_CHARS = 64
#: An id as every model takes it: one over :data:`MAX_ID_CHARS` is refused when the model is built, so SQLite
#: (which would store it) and PostgreSQL (which would refuse it at insert) give the same validation error.
Id = Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)]
#: A document id or other hash, at most :data:`HASH_CHARS` characters, refused the same way when longer.
HashId = Annotated[str, StringConstraints(max_length=HASH_CHARS)]


class Frozen(BaseModel):
    """Base for all domain types: immutable, no unknown fields, no NUL characters (:func:`without_nul`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _without_nul(cls, data: Any) -> Any:
        # one pass over the input's fields; nested models clean their own
        if data.__class__ is dict:
            for value in data.values():
                kind = value.__class__
                if (kind is str and "\x00" in value) or ((kind is list or kind is tuple or kind is dict) and _has_nul(value)):
                    return {k: without_nul(v) for k, v in data.items()}
        elif isinstance(data, dict):
            return without_nul(data) if any(_has_nul(v) for v in data.values()) else data
        return data

    def model_post_init(self, context: Any, /) -> None:
        """Share the record of which fields were given with every instance given the same fields (see :func:`shared_fields`)."""
        object.__setattr__(self, "__pydantic_fields_set__", shared_fields(self.__pydantic_fields_set__))

    def __setstate__(self, state: dict[Any, Any]) -> None:
        """Unpickle (from a worker process, say) sharing the record of set fields, as construction does."""
        fields = state.get("__pydantic_fields_set__")
        if fields is not None:
            state = {**state, "__pydantic_fields_set__": shared_fields(fields)}
        super().__setstate__(state)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """pydantic's ``model_copy``, the copy sharing its record of set fields (see :func:`shared_fields`)."""
        copied = super().model_copy(update=update, deep=deep)
        object.__setattr__(copied, "__pydantic_fields_set__", shared_fields(copied.__pydantic_fields_set__))
        return copied


def shared_fields(fields: set[str]) -> set[str]:
    """One set object per distinct set of field names, for every domain instance that has it.

    pydantic keeps, for every instance, the set of field names it was given;
    such a set (200-700 bytes) is as large as a small model's own fields, and
    was half the memory of a batch of extractions, as a few dozen distinct sets
    copied hundreds of thousands of times. The models are frozen, so the set is
    only read (``exclude_unset`` dumps); pydantic's ``model_copy`` copies it
    before adding to it.
    """
    return _FIELDS_SETS.setdefault(frozenset(fields), fields)


#: one set of field names per distinct set, shared by unpickled instances (see :meth:`Frozen.__setstate__`)
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


# ---------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """The canonical form of a document's text used for content hashing.

    Unicode NFC, universal newlines, trailing spaces stripped and runs of blank
    lines folded, so that the same article fetched twice (or saved with CRLF)
    hashes the same.
    """
    text = unicodedata.normalize("NFC", without_nul(text)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def content_hash(text: str) -> str:
    """SHA-256 (hex) of :func:`normalise_text` — a document's identity."""
    return content_hash_normalised(normalise_text(text))


def content_hash_normalised(text: str) -> str:
    """:func:`content_hash` of a text already in :func:`normalise_text` form (skips normalising again)."""
    # surrogatepass: text that came through surrogateescape (or a stray lone surrogate) still hashes
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Document(Frozen):
    """One article, feed item or dataset row as ingested, with its provenance.

    ``id`` is the content hash of the normalised text, so storing the same
    article twice stores it once. ``location`` is where it came from (a path or
    URL); ``raw_sha256`` is the hash of the exact bytes read, kept so nothing
    about the original is lost.
    """

    id: HashId
    title: str | None = None
    text: str
    outlet: str | None = None
    author: str | None = None
    published: dt.datetime | None = None
    location: str
    media_type: str = "text/plain"
    kind: Literal["article", "feed-item", "dataset-row"] = "article"
    raw_sha256: HashId | None = None
    retrieved_at: dt.datetime | None = None

    @classmethod
    def from_text(cls, text: str, *, location: str, **fields: object) -> "Document":
        """Build a document whose ``id`` is the content hash of ``text``."""
        return cls(id=content_hash(text), text=text, location=location, **fields)  # type: ignore[arg-type]


class Source(Frozen):
    """Who asserted something: a speaker, the outlet that carried it, or both.

    ``anonymous`` marks unnamed sources ("an official familiar with the
    meeting"); ``role`` keeps the description given for them. ``speaker_id``
    and ``outlet_id`` are knowledge-base ids when the name is known there.
    """

    speaker: str | None = None
    speaker_id: str | None = None
    role: str | None = None
    outlet: str | None = None
    outlet_id: str | None = None
    anonymous: bool = False
    #: Where the speaker got it, when the text says so ("told The New York Times",
    #: "citing Iraqi officials"). Statements sharing an origin are not independent.
    via: str | None = None


class Span(Frozen):
    """A piece of a document that supports an extracted fact."""

    document_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


# ---------------------------------------------------------------------------
# Facts extracted from text
# ---------------------------------------------------------------------------


class Place(Frozen):
    """A named place resolved against the bundled gazetteer."""

    name: str
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    gazetteer_id: str | None = None


class Casualty(Frozen):
    """A count of people killed or injured, with nationality and category when known."""

    status: Literal["killed", "injured"]
    count: int = Field(ge=0)
    nationality: str | None = Field(default=None, description="ISO 3166-1 alpha-2, or None when unknown")
    category: str | None = Field(default=None, description="civilian, child, contractor, service-member, fighter, ...")
    #: True when the text reports the count as uncertain ("at least", "reportedly").
    approximate: bool = False


class AttributionKind(str, Enum):
    """How a statement links an actor to an incident."""

    CLAIMED = "claimed"  #: the actor (or its front) claimed responsibility
    ALLEGED = "alleged"  #: someone else says the actor did it
    ASSESSED = "assessed"  #: an intelligence/analytic judgement ("believed", "more likely")
    DENIED = "denied"  #: the actor, or its sponsor, denies it
    DISPUTED = "disputed"  #: someone says the attribution is unproven / unclear


class AttributionStatement(Frozen):
    """One assertion about who is behind an incident.

    ``actor`` is the perpetrator named (a knowledge-base id, or ``unknown``);
    ``sponsor`` and ``relation`` carry any state link asserted in the same
    breath ("an Iranian-backed militia" -> sponsor ``iran``, relation
    ``supported``); ``hedges`` are the hedge words that weaken it
    ("apparently", "not yet clear").
    """

    actor: str
    kind: AttributionKind
    hedges: tuple[str, ...] = ()
    sponsor: str | None = None
    relation: str | None = None
    asserted_by: Source = Field(default_factory=Source)
    comparative: str | None = Field(default=None, description="e.g. 'more likely' than another actor")
    evidence: Span | None = None


class CasualtyReport(Frozen):
    """What one document says about an incident's victims, kept so conflicting reports stay visible.

    ``casualties`` are this document's figures alone; the incident's own
    ``casualties`` are the merged view. ``source`` is the outlet (and speaker,
    when the figures are attributed) the document gives for them.
    """

    document_id: str
    source: Source = Field(default_factory=Source)
    casualties: tuple[Casualty, ...] = ()
    #: P(the source reports truly), from its Admiralty grade when the report was read (0.5: cannot be judged)
    reliability: float = Field(default=0.5, ge=0, le=1)


def tally(casualties: tuple[Casualty, ...] | list[Casualty], status: str, nationality: str | None = None) -> int:
    """People of ``status`` (and ``nationality``) in a list of casualty entries, counting nobody twice.

    An uncategorised entry ("three Americans killed") and categorised ones
    ("one service member and two contractors") describe the same people, so a
    nationality's total is the larger of the two, not their sum; with no
    nationality asked, the totals of each nationality (and of unknown
    nationality) are added up: extraction already takes "including an
    American" out of the total it belongs to.
    """
    rows = [c for c in casualties if c.status == status and (nationality is None or c.nationality == nationality)]
    if nationality is not None:
        return group_total(rows)
    by_nat: dict[str | None, list[Casualty]] = {}
    for c in rows:
        by_nat.setdefault(c.nationality, []).append(c)
    return sum(group_total(g) for g in by_nat.values())


def group_total(group: tuple[Casualty, ...] | list[Casualty]) -> int:
    """People in entries of one status and nationality: the uncategorised count or the categories' sum, whichever is larger."""
    plain = max((c.count for c in group if c.category is None), default=0)
    return max(plain, sum(c.count for c in group if c.category is not None))


class Incident(Frozen):
    """An attack: when, where, how, against whom, with what harm, and who is said to be behind it."""

    id: Id
    date: dt.date | None = None
    date_text: str | None = None
    date_precision: Literal["day", "month", "year"] | None = None
    place: Place | None = None
    attack_type: str | None = None
    weapon: str | None = None
    target: str | None = None
    casualties: tuple[Casualty, ...] = ()
    #: each document's own casualty figures, so that conflicting reports stay visible and can be weighed
    casualty_reports: tuple[CasualtyReport, ...] = ()
    attributions: tuple[AttributionStatement, ...] = ()
    documents: tuple[HashId, ...] = ()
    evidence: tuple[Span, ...] = ()
    summary: str | None = None

    def killed(self, nationality: str | None = None) -> int:
        """People reported killed, optionally only of one nationality (see :func:`tally`)."""
        return tally(self.casualties, "killed", nationality)

    def injured(self, nationality: str | None = None) -> int:
        """People reported injured, optionally only of one nationality (see :func:`tally`)."""
        return tally(self.casualties, "injured", nationality)


class Action(Frozen):
    """A non-attack event that matters to escalation: strikes, protests, votes, pledges, withdrawals."""

    id: Id
    kind: str
    actor: str | None = None
    target: str | None = None
    date: dt.date | None = None
    date_text: str | None = None
    date_precision: Literal["day", "month", "year"] | None = None
    place: Place | None = None
    casualties: tuple[Casualty, ...] = ()
    #: ids of incidents/actions the text says led to this one ("sparked", "in response to")
    caused_by: tuple[str, ...] = ()
    documents: tuple[HashId, ...] = ()
    evidence: tuple[Span, ...] = ()
    summary: str | None = None


class RedLineStatement(Frozen):
    """A declared red line as found in text: who set it, on what condition, with what consequence."""

    speaker: Source
    condition: str
    consequence: str
    date: dt.date | None = None
    documents: tuple[str, ...] = ()
    evidence: Span | None = None


class ProvisionalActor(Frozen):
    """A group named in the news that the knowledge base does not know yet ("the Revenge of al-Muhandis Brigades").

    Its ``id`` is ``unresolved:<slug>``; statements name it by that id, so a
    claim under a new name is still a claim. An analyst adds it to
    ``actors.yaml`` (``tripwire unresolved`` lists them), after which the next
    extraction resolves the name.
    """

    id: Id
    name: str
    documents: tuple[str, ...] = ()


UNRESOLVED_PREFIX = "unresolved:"


class Extraction(Frozen):
    """Everything extracted from one document."""

    document_id: HashId
    published: dt.date | None = None
    incidents: tuple[Incident, ...] = ()
    actions: tuple[Action, ...] = ()
    redlines: tuple[RedLineStatement, ...] = ()
    #: groups the document names (claiming, accused) that the knowledge base does not know
    provisional_actors: tuple[ProvisionalActor, ...] = ()
    extractor_version: str = "1"


# ---------------------------------------------------------------------------
# Attribution
# ---------------------------------------------------------------------------


class Hypothesis(Frozen):
    """One competing explanation: ``perpetrator`` acted, with ``sponsor`` in ``relation`` to it.

    ``relation`` is a level on the state-responsibility spectrum (see
    ``knowledge/data/relations.yaml``); ``sponsor`` is None for an
    ``independent`` hypothesis.
    """

    perpetrator: str
    sponsor: str | None = None
    relation: str = "independent"

    @property
    def key(self) -> str:
        """A stable string key: ``perpetrator|sponsor|relation``."""
        return f"{self.perpetrator}|{self.sponsor or '-'}|{self.relation}"


class EvidenceContribution(Frozen):
    """How one piece of evidence moved the posterior, for the explanation table.

    ``log_lr`` maps hypothesis key to the natural-log likelihood ratio this
    item contributes (relative to a neutral baseline); ``weight`` is the
    discount applied for source reliability, bias and dependence, and
    ``notes`` says in words why.
    """

    label: str
    kind: str
    source: Source | None = None
    weight: float = Field(ge=0, le=1)
    log_lr: dict[str, float]
    notes: tuple[str, ...] = ()
    group: str | None = Field(default=None, description="dependence group: items sharing one origin")


class Confidence(str, Enum):
    """ICD 203 analytic confidence in a judgement (``tripwire.icd203``; the rule is in docs/redlines.md)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class ConfidenceBasis(Frozen):
    """What an analytic confidence level is derived from, kept so the level can be explained and argued with.

    ``origins`` counts the independent origins of the statements naming who
    did it (relays of one origin count once; for casualty figures, the
    sources reporting them); ``best_reliability`` is the highest
    P(reports truly) among them (from their Admiralty grades; None: no
    source); ``dissent`` counts unresolved dissent (origins disputing the
    attribution, reports contradicting a figure).
    """

    origins: int = Field(ge=0)
    best_reliability: float | None = Field(default=None, ge=0, le=1)
    dissent: int = Field(default=0, ge=0)

    def confidence(self, interval: tuple[float, float] | None = None) -> Confidence:
        """The level for a probability with this basis and credible ``interval`` (see :func:`tripwire.icd203.analytic_confidence`)."""
        return Confidence(analytic_confidence(self.origins, self.best_reliability, self.dissent, interval_width(interval)))

    def describe(self) -> str:
        """``2 independent origins, best source reliability 0.80, 1 dissenting``."""
        rel = "no graded source" if self.best_reliability is None else f"best source reliability {self.best_reliability:.2f}"
        origin = f"{self.origins} independent origin{'s' if self.origins != 1 else ''}"
        return f"{origin}, {rel}, " + (f"{self.dissent} dissenting" if self.dissent else "no dissent")


class PosteriorEntry(Frozen):
    """The probability of one hypothesis, with a credible interval when inputs are uncertain.

    ``confidence`` is the ICD 203 analytic confidence in that probability
    (None on results stored before it was assessed).
    """

    hypothesis: Hypothesis
    prior: float = Field(ge=0, le=1)
    probability: float = Field(ge=0, le=1)
    interval: tuple[float, float] | None = None
    confidence: Confidence | None = None


class AttributionResult(Frozen):
    """Posterior over hypotheses for one incident, with every number explained."""

    incident_id: Id
    posterior: tuple[PosteriorEntry, ...]
    evidence: tuple[EvidenceContribution, ...] = ()
    method: str = "bayes"
    #: what the entries' analytic confidence was derived from (None on results stored before it was)
    basis: ConfidenceBasis | None = None

    def probability(self, *, perpetrator: str | None = None, sponsor: str | None = None, relations: frozenset[str] | set[str] | None = None) -> float:
        """Total posterior mass of hypotheses matching every given filter."""
        total = 0.0
        for entry in self.posterior:
            h = entry.hypothesis
            if perpetrator is not None and h.perpetrator != perpetrator:
                continue
            if sponsor is not None and h.sponsor != sponsor:
                continue
            if relations is not None and h.relation not in relations:
                continue
            total += entry.probability
        return total

    def _repr_html_(self) -> str:
        """The posterior as a table in a notebook (see :func:`tripwire.frames.posteriors`)."""
        from .frames import html_table, posteriors

        return html_table(posteriors(self), caption=f"Attribution of {self.incident_id} ({self.method})")


# ---------------------------------------------------------------------------
# Red lines
# ---------------------------------------------------------------------------


class RedLineStatus(str, Enum):
    """Where a red line stands for one incident."""

    CLEAR = "clear"
    WATCH = "watch"
    TRIPPED = "tripped"

    @property
    def rank(self) -> int:
        """Place in the order boards and lists use, most serious first: tripped 0, watch 1, clear 2."""
        return _STATUS_RANK[self.value]


_STATUS_RANK = {"tripped": 0, "watch": 1, "clear": 2}


def should_alert(previous: RedLineStatus | None, status: RedLineStatus) -> bool:
    """Whether an evaluation raises an alert: on a status change, or a first sighting that is not clear."""
    if previous is None:
        return status is not RedLineStatus.CLEAR
    return previous is not status


class Evaluation(Frozen):
    """One check of one red-line rule against one incident; stored append-only.

    ``words`` is the ICD 203 phrase of ``probability``; ``confidence`` the
    analytic confidence in it, derived from ``basis`` and ``interval`` (None
    on evaluations stored before it was assessed).
    """

    rule_id: Id
    incident_id: Id
    probability: float = Field(ge=0, le=1)
    interval: tuple[float, float] | None = None
    standard: str
    threshold: float = Field(ge=0, le=1)
    status: RedLineStatus
    words: str
    components: dict[str, float] = Field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    evaluated_at: dt.datetime
    previous_status: RedLineStatus | None = None
    confidence: Confidence | None = None
    basis: ConfidenceBasis | None = None

    @field_validator("words")
    @classmethod
    def _words_known(cls, v: str) -> str:
        if v not in PHRASES:
            raise ValueError(f"not an ICD 203 phrase: {v!r}")
        return v

    def _repr_html_(self) -> str:
        """The evaluation as a one-row table in a notebook (see :func:`tripwire.frames.evaluations`)."""
        from .frames import evaluations, html_table

        return html_table(evaluations(self), caption=f"Red line {self.rule_id} on {self.incident_id}")


# ---------------------------------------------------------------------------
# Labelled cases (the extraction evaluation's input; docs/evaluation.md)
# ---------------------------------------------------------------------------


class GoldCasualty(Frozen):
    """Victims of one nationality in a labelled case (None: not known from the articles)."""

    nationality: str | None = None
    killed: int | None = Field(default=None, ge=0)
    wounded: int | None = Field(default=None, ge=0)


class GoldAction(Frozen):
    """A strike, vote, seizure, sanction... that a labelled case says happened."""

    kind: str
    actor: str | None = None
    target: str | None = None
    date: dt.date | None = None


class GoldRedLine(Frozen):
    """A red line that a labelled case says was declared: who, on what condition, with what consequence."""

    speaker: str
    condition: str = ""
    consequence: str = ""


class GoldCase(Frozen):
    """What a hand-labeller says the articles of one case support (the ``gold.json`` layout).

    ``kind`` is ``attack`` (an incident to extract), ``action`` (a strike, vote
    or seizure to extract as an action), ``statement`` (a warning or red line)
    or ``none`` (nothing may be extracted as an incident). Actor fields hold
    plain names ("Houthis", "IRGC"); they are resolved against the knowledge
    base when scored. ``us_killed`` / ``us_wounded`` of None mean the articles
    do not say.
    """

    id: str
    kind: Literal["attack", "action", "statement", "none"]
    date: dt.date | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    places: tuple[str, ...] = ()
    weapon: str | None = None
    us_killed: int | None = Field(default=None, ge=0)
    us_wounded: int | None = Field(default=None, ge=0)
    other_casualties: tuple[GoldCasualty, ...] = ()
    claimed: tuple[str, ...] = ()
    us_attributed: tuple[str, ...] = ()
    sponsor_alleged: tuple[str, ...] = ()
    denied_by: tuple[str, ...] = ()
    dissent: tuple[str, ...] = ()
    actions: tuple[GoldAction, ...] = ()
    red_lines: tuple[GoldRedLine, ...] = ()
    notes: str = ""
