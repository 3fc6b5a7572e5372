"""Export incidents and their attribution as a STIX 2.1 bundle (via the ``stix2`` library).

The mapping, object by object:

* each :class:`~tripwire.model.Incident` -> a STIX ``incident`` SDO. The 2.1
  SDO holds little more than a name and description, so date, place, attack
  type, weapon, target and casualties travel as ``x_tripwire_*`` custom
  properties;
* its place -> a ``location`` (``located-at`` relationship);
* actors -> ``threat-actor`` (militias, insurgents, fronts, state organs) or
  ``identity`` (states, agencies, parties), with known sponsor links as
  ``attributed-to`` relationships from the actor to its sponsor;
* the posterior -> one ``attributed-to`` relationship from the incident to each
  perpetrator (and each sponsor) with ``confidence`` = 100 x its probability;
* each attribution statement -> an ``opinion`` of the speaker (or outlet) on
  that relationship: claims strongly agree, allegations and assessments agree,
  disputes disagree, denials strongly disagree;
* the evidence table of each result -> a ``note``.

Ids are UUID 5 names of our own ids and timestamps are fixed, so exporting the
same data twice gives byte-identical JSON.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import stix2
from stix2.v21 import Bundle, Identity, Location, Note, Opinion, Relationship, ThreatActor
from stix2.v21 import Incident as StixIncident

from ..errors import ParseError
from ..knowledge import KnowledgeBase
from ..model import AttributionKind, AttributionResult, Incident, Place, Source, icd203_phrase

#: Namespace of every STIX id Tripwire derives.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/tripwire/stix")
#: ``created``/``modified`` of every exported object unless the caller gives one.
DEFAULT_TIMESTAMP = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

OPINION = {
    AttributionKind.CLAIMED: "strongly-agree",
    AttributionKind.ALLEGED: "agree",
    AttributionKind.ASSESSED: "agree",
    AttributionKind.DISPUTED: "disagree",
    AttributionKind.DENIED: "strongly-disagree",
}
_IDENTITY_KINDS = {"state", "agency", "party"}


def stix_id(kind: str, key: str) -> str:
    """The deterministic STIX id of a ``kind`` object named ``key`` by Tripwire."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


class _Builder:
    """Collects STIX objects by id so each is emitted once."""

    def __init__(self, kb: KnowledgeBase, created: dt.datetime) -> None:
        self.kb = kb
        self.ts = {"created": created, "modified": created}
        self.objects: dict[str, Any] = {}
        self.producer = self.add(Identity(id=stix_id("identity", "tripwire"), name="Tripwire", identity_class="system", **self.ts))
        self.mark = {"created_by_ref": self.producer.id}

    def add(self, obj: Any) -> Any:
        self.objects.setdefault(obj.id, obj)
        return self.objects[obj.id]

    def actor(self, actor_id: str) -> str:
        """The STIX id of an actor, adding it (and its sponsors) on first use."""
        for kind in ("threat-actor", "identity"):
            sid = stix_id(kind, f"actor:{actor_id}")
            if sid in self.objects:
                return sid
        known = self.kb.actors.get(actor_id)
        name = known.name if known else actor_id
        kind = known.kind if known else "unknown"
        extra = {"x_tripwire_actor_id": actor_id, "x_tripwire_actor_kind": kind}
        if kind in _IDENTITY_KINDS:
            obj = Identity(id=stix_id("identity", f"actor:{actor_id}"), name=name, identity_class="organization", allow_custom=True, **extra, **self.ts, **self.mark)
        else:
            aliases = list(known.aliases) if known and known.aliases else None
            types = ["nation-state"] if kind == "state-organ" else None
            obj = ThreatActor(id=stix_id("threat-actor", f"actor:{actor_id}"), name=name, aliases=aliases, threat_actor_types=types,
                              allow_custom=True, **extra, **self.ts, **self.mark)
        self.add(obj)
        for link in self.kb.sponsors_of(actor_id) if known else ():
            if link.sponsor == actor_id:
                continue
            target = self.actor(link.sponsor)
            self.add(Relationship(
                id=stix_id("relationship", f"sponsor:{actor_id}:{link.sponsor}"), source_ref=obj.id, target_ref=target,
                relationship_type="attributed-to", confidence=round(100 * link.confidence),
                description=f"{name} is known to be {link.relation} by {self.kb.actors[link.sponsor].name} (knowledge base)",
                allow_custom=True, x_tripwire_relation=link.relation, **self.ts, **self.mark,
            ))  # fmt: skip
        return obj.id

    def source(self, source: Source) -> str:
        """The identity of whoever asserted a statement (speaker first, then outlet)."""
        if source.speaker or source.speaker_id:
            key = source.speaker_id or source.speaker or ""
            name = source.speaker or (self.kb.speakers[key].name if key in self.kb.speakers else key)
            cls = "individual" if source.speaker and not source.speaker_id and not source.anonymous else "organization"
        elif source.outlet or source.outlet_id:
            key = source.outlet_id or source.outlet or ""
            name = source.outlet or (self.kb.outlets[key].name if key in self.kb.outlets else key)
            cls = "organization"
        else:
            key, name, cls = f"unnamed:{source.role or 'source'}", f"unnamed {source.role or 'source'}", "unknown"
        return self.add(Identity(id=stix_id("identity", f"source:{key}"), name=name, identity_class=cls, **self.ts)).id

    def location(self, place: Place) -> str | None:
        if (place.lat is None or place.lon is None) and not place.country:
            return None
        key = place.gazetteer_id or f"{place.name}|{place.lat}|{place.lon}|{place.country}"
        coords = {"latitude": place.lat, "longitude": place.lon} if place.lat is not None and place.lon is not None else {}
        country = {"country": place.country} if place.country else {}
        return self.add(Location(id=stix_id("location", key), name=place.name, **coords, **country, **self.ts, **self.mark)).id


def _who(source: Source) -> str:
    return source.speaker or source.outlet or (f"unnamed {source.role}" if source.role else "an unnamed source")


def _incident(b: _Builder, incident: Incident) -> StixIncident:
    place = incident.place
    name = f"{incident.attack_type or 'attack'} at {place.name if place else 'unknown place'} on {incident.date or 'unknown date'}"
    custom = {
        "x_tripwire_id": incident.id,
        "x_tripwire_date": incident.date.isoformat() if incident.date else None,
        "x_tripwire_date_precision": incident.date_precision,
        "x_tripwire_attack_type": incident.attack_type,
        "x_tripwire_weapon": incident.weapon,
        "x_tripwire_target": incident.target,
        "x_tripwire_killed": incident.killed(),
        "x_tripwire_injured": incident.injured(),
        "x_tripwire_casualties": [c.model_dump(mode="json") for c in incident.casualties] or None,
        "x_tripwire_place": place.model_dump(mode="json", exclude_none=True) if place else None,
        "x_tripwire_documents": list(incident.documents) or None,
    }
    return b.add(StixIncident(
        id=stix_id("incident", incident.id), name=name, description=incident.summary, allow_custom=True,
        **{k: v for k, v in custom.items() if v is not None}, **b.ts, **b.mark,
    ))  # fmt: skip


def _posterior_links(b: _Builder, incident: Incident, sid: str, result: AttributionResult) -> dict[str, str]:
    """attributed-to relationships from the posterior; returns actor id -> relationship id."""
    links: dict[str, str] = {}
    perps: dict[str, float] = {}
    sponsors: dict[str, dict[str, float]] = {}
    for entry in result.posterior:
        h = entry.hypothesis
        perps[h.perpetrator] = perps.get(h.perpetrator, 0.0) + entry.probability
        if h.sponsor and h.relation != "independent":
            sponsors.setdefault(h.sponsor, {})
            sponsors[h.sponsor][h.relation] = sponsors[h.sponsor].get(h.relation, 0.0) + entry.probability
    for role, table in (("perpetrator", {k: {"": v} for k, v in perps.items()}), ("sponsor", sponsors)):
        for actor_id, parts in sorted(table.items()):
            p = min(1.0, max(0.0, sum(parts.values())))
            rel = b.add(Relationship(
                id=stix_id("relationship", f"{incident.id}:{role}:{actor_id}"), source_ref=sid, target_ref=b.actor(actor_id),
                relationship_type="attributed-to", confidence=round(100 * p),
                description=f"{role}: P = {p:.3f} ({icd203_phrase(p)})", allow_custom=True,
                x_tripwire_role=role, x_tripwire_probability=round(p, 6),
                **({"x_tripwire_relations": {k: round(v, 6) for k, v in sorted(parts.items())}} if role == "sponsor" else {}),
                **b.ts, **b.mark,
            ))  # fmt: skip
            links.setdefault(actor_id, rel.id)
    return links


def _note(b: _Builder, incident: Incident, refs: Sequence[str], result: AttributionResult) -> None:
    lines = ["Posterior over hypotheses (prior -> posterior):"]
    for e in sorted(result.posterior, key=lambda e: -e.probability):
        interval = f" [{e.interval[0]:.2f}, {e.interval[1]:.2f}]" if e.interval else ""
        lines.append(f"- {e.hypothesis.key}: {e.prior:.3f} -> {e.probability:.3f}{interval}")
    if result.evidence:
        lines.append("Evidence:")
    for item in result.evidence:
        top = max(item.log_lr.items(), key=lambda kv: abs(kv[1]), default=None)
        moved = f"; strongest log-LR {top[1]:+.2f} for {top[0]}" if top else ""
        why = f" ({'; '.join(item.notes)})" if item.notes else ""
        lines.append(f"- [{item.kind}] {item.label}: weight {item.weight:.2f}{moved}{why}")
    b.add(Note(
        id=stix_id("note", f"{incident.id}:explanation"), abstract=f"Why Tripwire attributes {incident.id} as it does ({result.method})",
        content="\n".join(lines), object_refs=list(refs), authors=["Tripwire"], **b.ts, **b.mark,
    ))  # fmt: skip


def to_stix_bundle(
    incidents: Iterable[Incident],
    results: Mapping[str, AttributionResult] | None = None,
    kb: KnowledgeBase | None = None,
    *,
    created: dt.datetime | None = None,
) -> Bundle:
    """A STIX 2.1 bundle of ``incidents`` with their attribution ``results`` (keyed by incident id).

    Incidents without a result get ``attributed-to`` relationships (without a
    confidence) from their statements instead. ``created`` fixes the objects'
    timestamps (default: a constant, for stable re-export).
    """
    kb = kb or KnowledgeBase.load()
    results = results or {}
    b = _Builder(kb, created or DEFAULT_TIMESTAMP)
    for incident in sorted(incidents, key=lambda i: i.id):
        sid = _incident(b, incident).id
        if incident.place and (loc := b.location(incident.place)):
            b.add(Relationship(id=stix_id("relationship", f"{incident.id}:located-at"), source_ref=sid, target_ref=loc,
                               relationship_type="located-at", **b.ts, **b.mark))  # fmt: skip
        result = results.get(incident.id)
        if result is not None:
            links = _posterior_links(b, incident, sid, result)
        else:
            links = {}
            for st in incident.attributions:
                if st.kind not in (AttributionKind.DENIED, AttributionKind.DISPUTED) and st.actor not in links:
                    links[st.actor] = b.add(Relationship(
                        id=stix_id("relationship", f"{incident.id}:statement:{st.actor}"), source_ref=sid, target_ref=b.actor(st.actor),
                        relationship_type="attributed-to", description="named in a statement; not yet weighed",
                        allow_custom=True, x_tripwire_role="statement", **b.ts, **b.mark,
                    )).id  # fmt: skip
        for n, st in enumerate(incident.attributions):
            refs = [links[a] for a in (st.actor, st.sponsor) if a and a in links] or [sid]
            if st.actor not in links:
                b.actor(st.actor)
            hedges = f" (hedged: {', '.join(st.hedges)})" if st.hedges else ""
            link = f" {st.relation} by {st.sponsor}" if st.sponsor else ""
            quote = f' Evidence: "{st.evidence.text}"' if st.evidence else ""
            b.add(Opinion(
                id=stix_id("opinion", f"{incident.id}:statement:{n}"), opinion=OPINION[st.kind], object_refs=refs,
                authors=[_who(st.asserted_by)], created_by_ref=b.source(st.asserted_by),
                explanation=f"{_who(st.asserted_by)} {st.kind.value}: {st.actor}{link}{hedges}.{quote}",
                allow_custom=True, x_tripwire_kind=st.kind.value, x_tripwire_actor=st.actor, **b.ts,
            ))  # fmt: skip
        if result is not None:
            _note(b, incident, [sid, *dict.fromkeys(links.values())], result)
    ids = sorted(b.objects)
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, '|'.join(ids))}"
    return Bundle(*[b.objects[i] for i in ids], id=bundle_id, allow_custom=True)


def parse_bundle(text: str) -> Bundle:
    """Parse a bundle written by :func:`to_stix_bundle` (custom properties allowed); ParseError if it is not STIX."""
    try:
        parsed = stix2.parse(text, allow_custom=True)
    except Exception as exc:  # noqa: BLE001 - stix2 raises many unrelated types for bad input
        raise ParseError(f"not a valid STIX 2.1 bundle: {exc}") from exc
    if not isinstance(parsed, Bundle):
        raise ParseError(f"not a STIX 2.1 bundle: top-level type is {parsed.get('type') if isinstance(parsed, dict) else type(parsed).__name__!r}")
    return parsed
