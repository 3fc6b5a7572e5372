"""The evidence behind an attribution, counted for ICD 203 analytic confidence.

:func:`attribution_basis` reads an incident's attribution statements the way
the engine weighs them and returns a :class:`~tripwire.model.ConfidenceBasis`:

* **origins** -- distinct origins (:func:`~.sources.origin_of`: the ``via``,
  else the speaker, else the outlet) of the statements that name a
  perpetrator (claims, allegations, assessments; not "unknown"). Relays of one
  origin are one origin, as in the likelihood.
* **best reliability** -- the highest P(reports truly) among those statements'
  sources (:func:`~.sources.resolve_source`, analyst overrides included).
* **dissent** -- distinct origins of ``disputed`` statements (someone on the
  record says the attribution is unproven). Denials are not counted: the
  accused, or its sponsor, denying is expected whatever the truth, and the
  likelihood already weighs it.

The level itself is :meth:`ConfidenceBasis.confidence` (``tripwire.icd203``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..knowledge import KnowledgeBase
from ..model import AttributionKind, ConfidenceBasis, Incident
from .hypotheses import UNKNOWN
from .sources import SourceSetting, origin_of, resolve_source

#: Statement kinds that say who did it (and so count as origins).
NAMING = frozenset({AttributionKind.CLAIMED, AttributionKind.ALLEGED, AttributionKind.ASSESSED})


def attribution_basis(kb: KnowledgeBase, incident: Incident, overrides: Mapping[str, SourceSetting] | None = None) -> ConfidenceBasis:
    """Independent origins, best source reliability and dissent behind ``incident``'s attribution."""
    overrides = overrides or {}
    origins: set[str] = set()
    dissent: set[str] = set()
    best: float | None = None
    for st in incident.attributions:
        if st.kind in NAMING and st.actor != UNKNOWN:
            origins.add(origin_of(kb, st.asserted_by))
            r = resolve_source(kb, st.asserted_by, overrides).reliability
            best = r if best is None else max(best, r)
        elif st.kind == AttributionKind.DISPUTED:
            dissent.add(origin_of(kb, st.asserted_by))
    return ConfidenceBasis(origins=len(origins), best_reliability=best, dissent=len(dissent))


__all__ = ["NAMING", "attribution_basis"]
