"""Export incidents, actions and their attribution as a STIX 2.1 bundle that strict validators and OpenCTI-class tools accept.

The mapping, object by object (``docs/interop.md`` has the full table):

* the producer -> an ``identity`` (Tripwire, ``system``) that is the
  ``created_by_ref`` of every object Tripwire makes, beside the
  ``extension-definition`` of Tripwire's property extension; every object is
  marked with the TLP 2.0 ``marking-definition`` of setting ``stix_tlp``,
  referred to by its OASIS id (the predefined object is not carried);
* each :class:`~tripwire.model.Incident` -> an ``incident`` SDO, with
  ``external_references`` to its source articles; date, place, attack type,
  weapon, target, casualties and the whole posterior (ICD 203 words and
  analytic confidence included) travel in the property extension;
* each :class:`~tripwire.model.Action` (strike, seizure, vote...) -> an
  ``incident`` SDO too, marked ``event: action`` in the extension, with
  ``attributed-to`` its reported actor and ``related-to`` its target and the
  events the reporting says caused it;
* places -> ``location`` (with its STIX ``region``); actors ->
  ``threat-actor`` (militias, insurgents, fronts, state organs, with the
  type, roles and resources the knowledge base gives:
  :func:`~.stix_common.threat_actor_profile`) or ``identity`` (states,
  agencies, parties), with knowledge-base sponsor links as ``attributed-to``;
* links -> the relationship type STIX 2.1 suggests for the pair, else
  ``related-to`` with the intended type in the extension's ``relationship``
  (:func:`~.stix_common.relationship_type`): STIX defines no relationships
  for ``incident``, so an incident's perpetrator and place are ``related-to``
  links unless setting ``stix_typed_incident_links`` asks for
  ``attributed-to`` / ``located-at`` (what OpenCTI reads as such);
* the posterior -> an attribution relationship from the incident to a
  perpetrator (or sponsor) **only when its probability reaches
  ``stix_attribution_floor``**, with ``confidence`` = 100 x P; the rest of the
  posterior stays in the extension and the explanatory ``note``, so a
  consumer that ignores ``confidence`` never sees an unlikely actor
  "attributed";
* each attribution statement -> an ``opinion`` authored by its speaker (claims
  strongly agree, allegations and assessments agree, disputes disagree,
  denials strongly disagree) on the relationship, or on the incident and
  actor when there is none.

Times come from the data: an incident is ``created`` at its earliest source
article's publication and ``modified`` at its latest (its date when no article
is known); actors and sources span the incidents that mention them; the
producer and extension carry the date the extension version was defined. Ids
are deterministic (:func:`~.stix_common.stix_id`), so exporting the same data
twice gives byte-identical JSON. Every object is checked by ``stix2.parse``
without custom content as it is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import stix2
from stix2.v21 import Bundle

from ..errors import ParseError, SettingError
from ..icd203 import icd203_phrase, judgement
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionKind, AttributionResult, Document, Incident, Place, PosteriorEntry, Source
from ..settings import Settings
from .stix_common import (
    EXTENSION_CREATED,
    PROFILE_DEFAULTS,
    day_start,
    document_times,
    extension,
    extension_definition,
    external_references,
    region,
    relationship_type,
    stix_id,
    threat_actor_profile,
    timestamp,
    tlp_marking,
)

OPINION = {
    AttributionKind.CLAIMED: "strongly-agree",
    AttributionKind.ALLEGED: "agree",
    AttributionKind.ASSESSED: "agree",
    AttributionKind.DISPUTED: "disagree",
    AttributionKind.DENIED: "strongly-disagree",
}
_IDENTITY_KINDS = {"state", "agency", "party"}
Span = tuple[dt.datetime, dt.datetime]


class _Builder:
    """Collects STIX objects (as dicts) by id, each emitted once, with the time span of the data behind it."""

    def __init__(self, kb: KnowledgeBase, tlp: str, floor: float, documents: Mapping[str, Document], locations: Mapping[str, Sequence[str]],
                 fallback: dt.datetime, *, typed: bool = False) -> None:
        from ..attribute.hypotheses import UNKNOWN  # here, not at import: the attribution engine is heavy to load

        self.kb, self.floor, self.documents, self.locations, self.fallback, self.typed = kb, floor, documents, locations, fallback, typed
        self.unknown = UNKNOWN
        self.objects: dict[str, dict[str, Any]] = {}
        self.spans: dict[str, Span] = {}
        self._visiting: set[str] = set()
        self._sponsors = {link.sponsor for a in kb.actors.values() for link in a.sponsors}
        self.marking = tlp_marking(tlp)  # referred to by id, not carried
        self.producer = stix_id("identity", "tripwire")
        fixed = (EXTENSION_CREATED, EXTENSION_CREATED)
        self.add({"type": "identity", "id": self.producer, "name": "Tripwire", "identity_class": "system",
                  "description": "Extracts attacks and attribution statements from news, weighs them, and checks declared red lines."}, fixed)
        ext = extension_definition(self.producer, self.marking["id"])
        self.objects[ext["id"]] = ext
        self.common = {"created_by_ref": self.producer, "object_marking_refs": [self.marking["id"]]}

    def add(self, obj: dict[str, Any], span: Span, *, by: str | None = None) -> str:
        """Add ``obj`` (or widen the time span of the one already there); returns its id."""
        oid = obj["id"]
        if oid not in self.objects:
            self.objects[oid] = {"spec_version": "2.1", **obj, "created_by_ref": by or self.producer, "object_marking_refs": [self.marking["id"]]}
        old = self.spans.get(oid)
        self.spans[oid] = span if old is None else (min(old[0], span[0]), max(old[1], span[1]))
        return oid

    def span_of(self, doc_ids: Iterable[str], day: dt.date | None) -> Span:
        """(created, modified) for an event: its articles' publication times, else its date, else the fallback."""
        times = document_times(doc_ids, self.documents)
        if times is not None:
            return times
        start = day_start(day) or self.fallback
        return (start, start)

    def actor(self, actor_id: str, span: Span) -> str:
        """The STIX id of an actor, adding it (and its sponsors, linked above the floor) on first use."""
        known = self.kb.actors.get(actor_id)
        kind = known.kind if known else "unknown"
        name = known.name if known else actor_id
        if kind in _IDENTITY_KINDS:
            oid = stix_id("identity", f"actor:{actor_id}")
            obj: dict[str, Any] = {"type": "identity", "id": oid, "name": name, "identity_class": "organization",
                                   **extension({"actor_id": actor_id, "actor_kind": kind})}
        else:
            oid = stix_id("threat-actor", f"actor:{actor_id}")
            sponsored = bool(known and (self.kb.sponsors_of(actor_id) or known.front_for))
            obj = {"type": "threat-actor", "id": oid, "name": name,
                   **threat_actor_profile(kind, sponsored=sponsored, sponsors=actor_id in self._sponsors),
                   **extension({"actor_id": actor_id, "actor_kind": kind, "profile_defaults": list(PROFILE_DEFAULTS)})}
            if known and known.aliases:
                obj["aliases"] = sorted(known.aliases)
        first = oid not in self.objects
        self.add(obj, span)
        if actor_id in self._visiting:  # a sponsor cycle in the knowledge base: each link once
            return oid
        self._visiting.add(actor_id)
        for link in self.kb.sponsors_of(actor_id) if known else ():
            if link.sponsor == actor_id or link.confidence < self.floor:
                continue
            target = self.actor(link.sponsor, span)
            rid = stix_id("relationship", f"sponsor:{actor_id}:{link.sponsor}")
            if first or rid in self.objects:
                self.relate(f"sponsor:{actor_id}:{link.sponsor}", "attributed-to", oid, target, span, {"role": "sponsor-link", "relation": link.relation},
                            confidence=round(100 * link.confidence),
                            description=f"{name} is known to be {link.relation} by {self.kb.actors[link.sponsor].name} (knowledge base)")
        self._visiting.discard(actor_id)
        return oid

    def source(self, source: Source, span: Span) -> str:
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
        return self.add({"type": "identity", "id": stix_id("identity", f"source:{key}"), "name": name, "identity_class": cls}, span)

    def location(self, place: Place, span: Span) -> str | None:
        if (place.lat is None or place.lon is None) and not place.country:
            return None
        key = place.gazetteer_id or f"{place.name}|{place.lat}|{place.lon}|{place.country}"
        obj: dict[str, Any] = {"type": "location", "id": stix_id("location", key), "name": place.name}
        if place.lat is not None and place.lon is not None:
            obj.update(latitude=place.lat, longitude=place.lon)
        if place.country:
            obj["country"] = place.country
        if where := region(place.country):
            obj["region"] = where
        return self.add(obj, span)

    def relate(self, key: str, kind: str, source: str, target: str, span: Span, props: Mapping[str, Any] | None = None, **fields: Any) -> str:
        """A ``kind`` link from ``source`` to ``target``, of the type STIX suggests for the pair (``kind`` kept in the extension)."""
        emitted = relationship_type(kind, source, target, typed=self.typed)
        ext = {**(props or {}), "relationship": kind if emitted != kind else None}
        return self.add({"type": "relationship", "id": stix_id("relationship", key), "relationship_type": emitted, "source_ref": source,
                         "target_ref": target, **fields, **extension(ext)}, span)

    def finish(self) -> list[Any]:
        """Every object, dated, checked by ``stix2.parse`` without custom content, in id order."""
        out = []
        for oid in sorted(self.objects):
            obj = dict(self.objects[oid])
            if oid in self.spans:
                start, end = self.spans[oid]
                obj["created"], obj["modified"] = timestamp(start), timestamp(max(start, end))
            out.append(stix2.parse(obj, allow_custom=False))
        return out


def _place_props(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    raw = {"name": place.name, "country": place.country, "latitude": place.lat, "longitude": place.lon, "gazetteer_id": place.gazetteer_id}
    return {k: v for k, v in raw.items() if v is not None}


def _casualties(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", exclude_none=True) for c in items]


def _posterior_props(result: AttributionResult) -> dict[str, Any]:
    rows = []
    for e in result.posterior:
        row: dict[str, Any] = {"hypothesis": e.hypothesis.key, "prior": round(e.prior, 6), "probability": round(e.probability, 6),
                               "words": icd203_phrase(e.probability)}
        if e.interval is not None:
            row["interval"] = [round(e.interval[0], 6), round(e.interval[1], 6)]
        if e.confidence is not None:
            row["analytic_confidence"] = e.confidence.value
        rows.append(row)
    props: dict[str, Any] = {"posterior": rows, "method": result.method}
    if result.basis is not None:
        props["confidence_basis"] = result.basis.model_dump(mode="json", exclude_none=True)
    return props


def _incident(b: _Builder, incident: Incident, result: AttributionResult | None, span: Span) -> str:
    place = incident.place
    name = f"{incident.attack_type or 'attack'} at {place.name if place else 'unknown place'} on {incident.date or 'unknown date'}"
    props = {
        "event": "incident", "tripwire_id": incident.id, "date": incident.date.isoformat() if incident.date else None,
        "date_precision": incident.date_precision, "attack_type": incident.attack_type, "weapon": incident.weapon, "target": incident.target,
        "killed": incident.killed(), "injured": incident.injured(), "casualties": _casualties(incident.casualties), "place": _place_props(place),
        "documents": sorted(incident.documents), **(_posterior_props(result) if result is not None else {}),
    }  # fmt: skip
    obj: dict[str, Any] = {"type": "incident", "id": stix_id("incident", incident.id), "name": name, **extension(props)}
    if incident.summary:
        obj["description"] = incident.summary
    if refs := external_references(incident.documents, b.documents, b.locations):
        obj["external_references"] = refs
    return b.add(obj, span)


def _marginals(result: AttributionResult) -> list[tuple[str, str, float, dict[str, float], PosteriorEntry]]:
    """(role, actor, P, split by relation, its most probable entry) for every perpetrator and sponsor of the posterior."""
    perps: dict[str, float] = {}
    sponsors: dict[str, dict[str, float]] = {}
    best: dict[tuple[str, str], PosteriorEntry] = {}
    for entry in result.posterior:
        h = entry.hypothesis
        perps[h.perpetrator] = perps.get(h.perpetrator, 0.0) + entry.probability
        best.setdefault(("perpetrator", h.perpetrator), entry)  # the posterior is sorted most probable first
        if h.sponsor and h.relation != "independent":
            parts = sponsors.setdefault(h.sponsor, {})
            parts[h.relation] = parts.get(h.relation, 0.0) + entry.probability
            best.setdefault(("sponsor", h.sponsor), entry)
    out = [("perpetrator", a, min(1.0, p), {}, best[("perpetrator", a)]) for a, p in sorted(perps.items())]
    out += [("sponsor", a, min(1.0, sum(parts.values())), parts, best[("sponsor", a)]) for a, parts in sorted(sponsors.items())]
    return out


def _posterior_links(b: _Builder, incident: Incident, sid: str, result: AttributionResult, span: Span) -> dict[str, str]:
    """attributed-to relationships for the actors whose probability reaches the floor; returns actor id -> relationship id.

    The analytic confidence of a link is that of the actor's most probable hypothesis.
    """
    links: dict[str, str] = {}
    for role, actor_id, p, parts, entry in _marginals(result):
        if actor_id == b.unknown:  # "someone else": no actor object to attribute to
            continue
        target = b.actor(actor_id, span)
        if p < b.floor:
            continue
        props = {"role": role, "probability": round(p, 6), "words": icd203_phrase(p),
                 "analytic_confidence": entry.confidence.value if entry.confidence else None,
                 "relations": {k: round(v, 6) for k, v in sorted(parts.items())} or None}
        rid = b.relate(f"{incident.id}:{role}:{actor_id}", "attributed-to", sid, target, span, props, confidence=round(100 * p),
                       description=f"attributed to ({role}): P = {p:.3f}, {judgement(p, entry.confidence)}")
        links.setdefault(actor_id, rid)
    return links


def _note(b: _Builder, incident: Incident, refs: Sequence[str], result: AttributionResult, span: Span) -> None:
    lines = ["Posterior over hypotheses (prior -> posterior, ICD 203 words and analytic confidence):"]
    for e in sorted(result.posterior, key=lambda e: -e.probability):
        interval = f" [{e.interval[0]:.2f}, {e.interval[1]:.2f}]" if e.interval else ""
        lines.append(f"- {e.hypothesis.key}: {e.prior:.3f} -> {e.probability:.3f}{interval}, {judgement(e.probability, e.confidence)}")
    if result.basis is not None:
        lines.append(f"Analytic confidence from {result.basis.describe()}.")
    if result.evidence:
        lines.append("Evidence:")
    for item in result.evidence:
        top = max(item.log_lr.items(), key=lambda kv: abs(kv[1]), default=None)
        moved = f"; strongest log-LR {top[1]:+.2f} for {top[0]}" if top else ""
        why = f" ({'; '.join(item.notes)})" if item.notes else ""
        lines.append(f"- [{item.kind}] {item.label}: weight {item.weight:.2f}{moved}{why}")
    b.add({"type": "note", "id": stix_id("note", f"{incident.id}:explanation"), "abstract": f"Why Tripwire attributes {incident.id} as it does ({result.method})",
           "content": "\n".join(lines), "object_refs": list(refs), "authors": ["Tripwire"]}, span)  # fmt: skip


def _who(source: Source) -> str:
    return source.speaker or source.outlet or (f"unnamed {source.role}" if source.role else "an unnamed source")


def _opinions(b: _Builder, incident: Incident, sid: str, links: Mapping[str, str], span: Span) -> None:
    for n, st in enumerate(incident.attributions):
        doc = st.evidence.document_id if st.evidence else None
        when = (document_times([doc], b.documents) if doc else None) or span
        named = [] if st.actor == b.unknown else [b.actor(st.actor, when)]
        refs = [links[a] for a in (st.actor, st.sponsor) if a and a in links] or [sid, *named]
        hedges = f" (hedged: {', '.join(st.hedges)})" if st.hedges else ""
        link = f" {st.relation} by {st.sponsor}" if st.sponsor else ""
        quote = f' Evidence: "{st.evidence.text}"' if st.evidence else ""
        obj: dict[str, Any] = {
            "type": "opinion", "id": stix_id("opinion", f"{incident.id}:statement:{n}"), "opinion": OPINION[st.kind], "object_refs": refs,
            "authors": [_who(st.asserted_by)], "explanation": f"{_who(st.asserted_by)} {st.kind.value}: {st.actor}{link}{hedges}.{quote}",
            **extension({"statement_kind": st.kind.value, "actor_id": st.actor, "sponsor": st.sponsor, "relation": st.relation, "hedges": list(st.hedges)}),
        }  # fmt: skip
        if doc and (refs_out := external_references([doc], b.documents, b.locations)):
            obj["external_references"] = refs_out
        b.add(obj, when, by=b.source(st.asserted_by, when))


def _action(b: _Builder, action: Action, known_events: Mapping[str, str]) -> None:
    span = b.span_of(action.documents, action.date)
    props = {
        "event": "action", "tripwire_id": action.id, "action_kind": action.kind, "actor_id": action.actor, "target": action.target,
        "date": action.date.isoformat() if action.date else None, "date_precision": action.date_precision, "place": _place_props(action.place),
        "casualties": _casualties(action.casualties), "caused_by": sorted(action.caused_by), "documents": sorted(action.documents),
    }  # fmt: skip
    name = f"{action.kind} by {action.actor or 'unknown actor'}" + (f" on {action.target}" if action.target else "") + f" on {action.date or 'unknown date'}"
    obj: dict[str, Any] = {"type": "incident", "id": stix_id("incident", f"action:{action.id}"), "name": name, **extension(props)}
    if action.summary:
        obj["description"] = action.summary
    if refs := external_references(action.documents, b.documents, b.locations):
        obj["external_references"] = refs
    aid = b.add(obj, span)
    if action.actor:
        b.relate(f"action:{action.id}:actor", "attributed-to", aid, b.actor(action.actor, span), span, {"role": "reported-actor"},
                 description=f"reported as carried out by {action.actor}")
    target_actor = b.kb.resolve_actor(action.target) if action.target else None
    if target_actor:
        b.relate(f"action:{action.id}:target", "related-to", aid, b.actor(target_actor, span), span, {"role": "target"},
                 description=f"target: {action.target}")
    if action.place and (loc := b.location(action.place, span)):
        b.relate(f"action:{action.id}:located-at", "located-at", aid, loc, span, description=f"located at {action.place.name}")
    for cause in sorted(action.caused_by):
        if cause in known_events:
            b.relate(f"action:{action.id}:caused-by:{cause}", "related-to", aid, known_events[cause], span, {"role": "caused-by"},
                     description=f"reported as a response to {cause}")


def to_stix_bundle(
    incidents: Iterable[Incident],
    results: Mapping[str, AttributionResult] | None,
    kb: KnowledgeBase,
    *,
    actions: Iterable[Action] = (),
    documents: Mapping[str, Document] | None = None,
    locations: Mapping[str, Sequence[str]] | None = None,
    settings: Settings | None = None,
    created: dt.datetime | None = None,
) -> Bundle:
    """A STIX 2.1 bundle of ``incidents`` (with their ``results``, keyed by incident id) and ``actions``.

    ``documents`` (id -> :class:`Document`) and ``locations`` (id -> every
    place the document was read from) give times and external references;
    ``settings`` the TLP marking (``stix_tlp``), the floor below which no
    attribution link is emitted (``stix_attribution_floor``) and whether an
    incident's links are typed (``stix_typed_incident_links``). ``created`` is
    the time of objects the data gives no date for (default: the date the
    extension version was defined).
    """
    settings = settings or Settings()
    floor = float(settings.stix_attribution_floor)
    if not 0.0 <= floor <= 1.0:
        raise SettingError(f"stix_attribution_floor must be in [0, 1], got {floor!r}")
    results = results or {}
    b = _Builder(kb, settings.stix_tlp, floor, documents or {}, locations or {}, created or EXTENSION_CREATED,
                 typed=bool(settings.stix_typed_incident_links))
    events: dict[str, str] = {}
    for incident in sorted(incidents, key=lambda i: i.id):
        span = b.span_of(incident.documents, incident.date)
        result = results.get(incident.id)
        sid = events[incident.id] = _incident(b, incident, result, span)
        if incident.place and (loc := b.location(incident.place, span)):
            b.relate(f"{incident.id}:located-at", "located-at", sid, loc, span, description=f"located at {incident.place.name}")
        links = _posterior_links(b, incident, sid, result, span) if result is not None else {}
        _opinions(b, incident, sid, links, span)
        if result is not None:
            _note(b, incident, [sid, *dict.fromkeys(links.values())], result, span)
    actions = sorted(actions, key=lambda a: a.id)
    events.update({a.id: stix_id("incident", f"action:{a.id}") for a in actions})
    for action in actions:
        _action(b, action, events)
    objects = b.finish()
    bundle_id = stix_id("bundle", "|".join(o.id for o in objects))
    return Bundle(*objects, id=bundle_id)


def parse_bundle(text: str) -> Bundle:
    """Parse a STIX 2.1 bundle (custom content refused, as OpenCTI-class tools do); ParseError if it is not one."""
    try:
        parsed = stix2.parse(text, allow_custom=False)
    except Exception as exc:  # noqa: BLE001 - stix2 raises many unrelated types for bad input
        raise ParseError(f"not a valid STIX 2.1 bundle: {exc}") from exc
    if not isinstance(parsed, Bundle):
        raise ParseError(f"not a STIX 2.1 bundle: top-level type is {parsed.get('type') if isinstance(parsed, dict) else type(parsed).__name__!r}")
    return parsed


__all__ = ["OPINION", "parse_bundle", "stix_id", "to_stix_bundle"]
