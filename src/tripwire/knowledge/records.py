"""The knowledge base's entries: actors, sponsor links, outlets, speakers, places, weapons, relation levels.

Plain frozen records, one per entry of a knowledge file; :mod:`.parsing`
builds them from the files and :class:`~tripwire.knowledge.base.KnowledgeBase`
holds and cross-checks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIRALTY_RELIABILITY = {"A": 0.95, "B": 0.8, "C": 0.65, "D": 0.5, "E": 0.35, "F": 0.5}
"""Default probability that a source of each Admiralty reliability grade reports truly.

F ("reliability cannot be judged") deliberately maps to the uninformative 0.5.
"""


@dataclass(frozen=True)
class SponsorLink:
    """A known tie between an actor and a sponsoring state."""

    sponsor: str
    relation: str
    confidence: float


@dataclass(frozen=True)
class Actor:
    """An actor: state, state organ, militia, insurgent group, front or category."""

    id: str
    name: str
    kind: str
    country: str | None = None
    aliases: tuple[str, ...] = ()
    sponsors: tuple[SponsorLink, ...] = ()
    front_for: str | None = None
    members: tuple[str, ...] = ()
    part_of: str | None = None
    #: the movement this group is a regional branch or affiliate of (ISWAP of the Islamic State)
    branch_of: str | None = None
    #: where the group operates: ISO-2 codes or province ids, used to tell which branch "the Islamic State's affiliate" is
    operates_in: tuple[str, ...] = ()
    #: its leaders' names: "Sahrawi's group", "fighters loyal to ..." name the group
    leaders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outlet:
    """A news outlet or channel, with its Admiralty reliability grade."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    reliability: str = "F"
    wire: bool = False


@dataclass(frozen=True)
class Speaker:
    """A person or institution whose statements count as evidence, with its known biases."""

    id: str
    name: str
    kind: str = "unknown"
    country: str | None = None
    aliases: tuple[str, ...] = ()
    reliability: str = "F"
    labels: dict[str, float] = field(default_factory=dict)
    denies: tuple[str, ...] = ()
    interested: tuple[str, ...] = ()


@dataclass(frozen=True)
class GazetteerEntry:
    """A place the extractor can recognise, with ISO country and coordinates.

    ``aliases`` holds every other spelling, the generated variants included.
    ``match`` says how the names may be written in text (``any``: any case;
    ``cased``: the name's capitals must be capitals; ``exact-case``: exactly
    as written); :attr:`case_sensitive` is true for the last two.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    lat: float
    lon: float
    kind: str
    parent: str | None = None
    match: str = "any"
    population: int | None = None
    note: str = ""

    @property
    def case_sensitive(self) -> bool:
        """Whether the names only count when capitalised as written (``match`` is ``cased`` or ``exact-case``)."""
        return self.match != "any"


@dataclass(frozen=True)
class WeaponSignature:
    """A weapon/modus operandi, the words that name it and P(weapon | perpetrator)."""

    id: str
    name: str
    attack_type: str
    terms: tuple[str, ...]
    likelihood: dict[str, float]
    #: the coarse class news labels use: rocket, drone, ballistic-missile, cruise-missile, ied, ...
    weapon_class: str = "other"
    #: a word that does not say which weapon ("rockets", "missiles"): a specific term in the same story wins
    generic: bool = False
    #: attack types of one family can be one salvo described differently ("rockets" / "missiles" / "drones")
    family: str = ""

    def p_given(self, perpetrator: str) -> float:
        """P(this weapon | perpetrator), falling back to the ``default`` entry."""
        return self.likelihood.get(perpetrator, self.likelihood.get("default", 0.05))


@dataclass(frozen=True)
class RelationLevel:
    """One level of the state-responsibility spectrum."""

    id: str
    rank: int
    coarse: str
    aliases: tuple[str, ...]
    help: str
