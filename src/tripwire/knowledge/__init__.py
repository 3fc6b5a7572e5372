"""Knowledge base: actors, sponsors, outlets, speakers, places, weapons, priors (all data files).

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "ADMIRALTY_RELIABILITY": ".base",
    "Actor": ".base",
    "GazetteerEntry": ".base",
    "KnowledgeBase": ".base",
    "Outlet": ".base",
    "RelationLevel": ".base",
    "Speaker": ".base",
    "SponsorLink": ".base",
    "WeaponSignature": ".base",
})
