"""Knowledge base: actors, sponsors, outlets, speakers, places, weapons, priors (all data files)."""

from .base import (
    ADMIRALTY_RELIABILITY,
    Actor,
    GazetteerEntry,
    KnowledgeBase,
    Outlet,
    RelationLevel,
    Speaker,
    SponsorLink,
    WeaponSignature,
)

__all__ = [
    "ADMIRALTY_RELIABILITY",
    "Actor",
    "GazetteerEntry",
    "KnowledgeBase",
    "Outlet",
    "RelationLevel",
    "Speaker",
    "SponsorLink",
    "WeaponSignature",
]
