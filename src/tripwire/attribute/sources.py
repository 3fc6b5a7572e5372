"""The source model: who said it, how reliable they are, how biased, and what they are relaying.

* Reliability: the Admiralty grade (A-F) of the speaker, else of the outlet,
  mapped to the probability that the source reports truly
  (``knowledge.ADMIRALTY_RELIABILITY``); a grade can be overridden per speaker
  or outlet with an :class:`SourceSetting` (``"B2"``, ``0.8`` or a mapping).
* Labelling bias: ``speakers.yaml`` ``labels: {iran: 0.95}`` is the rate at
  which a speaker attaches that label whatever the truth. It enters the
  likelihood of the label (see :func:`report_probabilities`).
* Learned bias: :class:`SpeakerBiasModel` estimates (reliability, label rate)
  per speaker and label from resolved cases, with Beta priors.
* Dependence: :func:`origin_of` names the origin a statement is traced to, so
  that relays of one origin form a single evidence group.
* Confidence: :func:`attribution_basis` counts the independent origins, the
  best reliability and the dissent behind an incident's attribution, from
  which ICD 203 analytic confidence is derived (``tripwire.icd203``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ConfigError, EstimationError
from ..knowledge import ADMIRALTY_RELIABILITY, KnowledgeBase
from ..model import AttributionKind, AttributionStatement, ConfidenceBasis, Hypothesis, Incident, Source
from .hypotheses import UNKNOWN, expand_actor, implied_sponsor, in_sponsor_set

_GRADE = re.compile(r"^\s*([A-Fa-f])\s*([1-6])?\s*$")


@dataclass(frozen=True)
class SourceSetting:
    """An analyst's override for one speaker or outlet.

    ``reliability`` is an Admiralty letter or a probability; ``credibility`` an
    Admiralty information grade 1-6; ``labels`` label rates replacing the
    speaker's ``labels`` from the knowledge base.
    """

    reliability: float | None = None
    grade: str | None = None
    credibility: int | None = None
    labels: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: Any) -> "SourceSetting":
        """Accept ``"B2"``, ``"C"``, ``0.8`` or ``{"reliability": "B", "credibility": 2, "labels": {...}}``."""
        if isinstance(value, SourceSetting):
            return value
        if isinstance(value, bool):
            raise ConfigError(f"source setting must be a grade or a probability, got {value!r}")
        if isinstance(value, (int, float)):
            if not 0.0 <= float(value) <= 1.0:
                raise ConfigError(f"source reliability must be in [0, 1], got {value!r}")
            return cls(reliability=float(value))
        if isinstance(value, str):
            m = _GRADE.match(value)
            if not m:
                raise ConfigError(f"not an Admiralty grade (A-F with optional 1-6): {value!r}")
            letter = m.group(1).upper()
            return cls(reliability=ADMIRALTY_RELIABILITY[letter], grade=letter, credibility=int(m.group(2)) if m.group(2) else None)
        if isinstance(value, Mapping):
            unknown = set(value) - {"reliability", "credibility", "labels"}
            if unknown:
                raise ConfigError(f"unknown source setting keys: {sorted(unknown)}")
            base = cls.parse(value["reliability"]) if "reliability" in value else cls()
            cred = value.get("credibility", base.credibility)
            if cred is not None and (isinstance(cred, bool) or not isinstance(cred, int) or not 1 <= cred <= 6):
                raise ConfigError(f"credibility must be an integer 1-6, got {cred!r}")
            labels = {str(k): float(v) for k, v in (value.get("labels") or {}).items()}
            if any(not 0.0 <= v <= 1.0 for v in labels.values()):
                raise ConfigError("label rates must be in [0, 1]")
            return cls(reliability=base.reliability, grade=base.grade, credibility=cred, labels=labels)
        raise ConfigError(f"cannot read a source setting from {value!r}")


@dataclass(frozen=True)
class SourceProfile:
    """What the engine knows about the source of one statement."""

    key: str  #: parameter key of its reliability ("speaker:pentagon", "outlet:washington-post", ...)
    name: str
    reliability: float
    grade: str
    labels: Mapping[str, float]
    denies: tuple[str, ...] = ()
    interested: tuple[str, ...] = ()
    credibility: int | None = None
    speaker_id: str | None = None


def _grade_of(r: float) -> str:
    return min(ADMIRALTY_RELIABILITY, key=lambda g: (abs(ADMIRALTY_RELIABILITY[g] - r), g))


def resolve_source(kb: KnowledgeBase, source: Source, overrides: Mapping[str, SourceSetting]) -> SourceProfile:
    """The reliability, labelling bias and interests behind ``source``.

    A known speaker is judged by its own grade; otherwise the outlet's grade
    applies (the outlet's own reporting or its unnamed sources); otherwise F.
    """
    speaker = kb.speakers.get(source.speaker_id or "") if source.speaker_id else None
    if speaker is None and source.speaker:
        sid = kb.resolve_speaker(source.speaker)
        speaker = kb.speakers.get(sid) if sid else None
    outlet_id = source.outlet_id or (kb.resolve_outlet(source.outlet) if source.outlet else None)
    via_outlet = kb.resolve_outlet(source.via) if source.via else None
    if via_outlet:  # relayed copy: the origin outlet vouches for it, not the carrier
        outlet_id = via_outlet
    outlet = kb.outlets.get(outlet_id or "")
    if speaker is not None:
        key, name, grade = f"speaker:{speaker.id}", speaker.name, speaker.reliability
        labels: Mapping[str, float] = dict(speaker.labels)
        denies, interested = speaker.denies, speaker.interested
    elif outlet is not None:
        key, name, grade = f"outlet:{outlet.id}", outlet.name, outlet.reliability
        labels, denies, interested = {}, (), ()
    else:
        label = source.speaker or source.role or source.outlet or "unattributed"
        key, name, grade = f"other:{label.lower()}", label, "F"
        labels, denies, interested = {}, (), ()
    reliability = ADMIRALTY_RELIABILITY[grade]
    credibility = None
    setting = overrides.get(key.split(":", 1)[1]) if key.split(":", 1)[0] in {"speaker", "outlet"} else None
    if setting is not None:
        if setting.reliability is not None:
            reliability = setting.reliability
            grade = setting.grade or _grade_of(reliability)
        credibility = setting.credibility
        if setting.labels:
            labels = {**labels, **setting.labels}
    return SourceProfile(key=key, name=name, reliability=reliability, grade=grade, labels=labels, denies=tuple(denies),
                         interested=tuple(interested), credibility=credibility, speaker_id=speaker.id if speaker else None)


def origin_of(kb: KnowledgeBase, source: Source) -> str:
    """The origin a statement is traced to: its ``via``, else its speaker, else its outlet."""
    if source.via:
        outlet = kb.resolve_outlet(source.via)
        if outlet:
            return f"outlet:{outlet}"
        speaker = kb.resolve_speaker(source.via)
        return f"speaker:{speaker}" if speaker else "via:" + " ".join(source.via.lower().split())
    if source.speaker_id or source.speaker:
        sid = source.speaker_id or kb.resolve_speaker(source.speaker or "")
        if sid and not source.anonymous:
            return f"speaker:{sid}"
        if source.speaker and not source.anonymous:
            return "speaker-name:" + " ".join(source.speaker.lower().split())
    outlet = source.outlet_id or (kb.resolve_outlet(source.outlet) if source.outlet else None)
    if outlet:
        return f"outlet:{outlet}" + (":anonymous" if source.anonymous else "")
    return "unattributed"


#: Statement kinds that say who did it (and so count as origins of an attribution).
NAMING = frozenset({AttributionKind.CLAIMED, AttributionKind.ALLEGED, AttributionKind.ASSESSED})


def attribution_basis(kb: KnowledgeBase, incident: Incident, overrides: Mapping[str, SourceSetting] | None = None) -> ConfidenceBasis:
    """Independent origins, best source reliability and dissent behind ``incident``'s attribution.

    * **origins** -- distinct :func:`origin_of` of the statements naming a
      perpetrator (claims, allegations, assessments; not "unknown"): relays of
      one origin are one origin, as in the likelihood;
    * **best reliability** -- the highest P(reports truly) among their sources
      (:func:`resolve_source`, analyst overrides included);
    * **dissent** -- distinct origins of ``disputed`` statements. Denials are
      not counted: the accused, or its sponsor, denying is expected whatever
      the truth, and the likelihood already weighs it.
    """
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


def report_probabilities(reliability: Any, label_rate: Any) -> tuple[Any, Any]:
    """P(speaker asserts S | S true), P(asserts S | S false) for a biased, fallible speaker.

    With probability ``label_rate`` the speaker attaches the label whatever the
    truth; otherwise it reports what it knows, correctly with probability
    ``reliability``. Works on floats and numpy arrays alike.
    """
    lam, r = label_rate, reliability
    return lam + (1.0 - lam) * r, lam + (1.0 - lam) * (1.0 - r)


def labels_of(kb: KnowledgeBase, st: AttributionStatement) -> set[str]:
    """The labels a statement attaches: its sponsor (or the category's), and the perpetrators it names."""
    out = set(expand_actor(kb, st.actor)) - {"unknown"}
    sponsor = st.sponsor or implied_sponsor(kb, st.actor)[0]
    if sponsor:
        out.add(sponsor)
    return out


def label_true(kb: KnowledgeBase, label: str, truth: Hypothesis) -> bool:
    """Whether ``label`` (a sponsor or perpetrator id) is true of the resolved hypothesis ``truth``."""
    return truth.perpetrator == label or in_sponsor_set(kb, truth, label, "supported")


class SpeakerBiasModel:
    """Per (speaker, label) reliability and label rate learned from resolved cases.

    The model is that of :func:`report_probabilities`: a speaker attaches label
    L to an attack with probability ``lam + (1-lam) r`` when L is true and
    ``lam + (1-lam)(1-r)`` when it is false. ``fit`` finds the posterior mode
    of (r, lam) under Beta priors centred on the knowledge-base values
    (``strength`` pseudo-observations each), for every pair with data.
    """

    def __init__(self, kb: KnowledgeBase, *, strength: float = 4.0, labels: Sequence[str] | None = None) -> None:
        self.kb = kb
        self.strength = strength
        self.labels = labels

    def _kb(self) -> KnowledgeBase:
        return self.kb

    def _counts(self, statements: Sequence[AttributionStatement], outcomes: Sequence[Hypothesis]) -> dict[tuple[str, str], np.ndarray]:
        kb = self._kb()
        if len(statements) != len(outcomes):
            raise EstimationError(f"need one outcome per statement, got {len(statements)} statements and {len(outcomes)} outcomes")
        tracked = set(self.labels or ())
        for sp in kb.speakers.values():
            tracked |= set(sp.labels)
        for st in statements:
            tracked |= labels_of(kb, st)
        counts: dict[tuple[str, str], np.ndarray] = {}
        for st, truth in zip(statements, outcomes):
            if st.kind.value not in {"alleged", "assessed"}:
                continue
            sid = st.asserted_by.speaker_id or (kb.resolve_speaker(st.asserted_by.speaker) if st.asserted_by.speaker else None)
            if not sid:
                continue
            said = labels_of(kb, st)
            for label in tracked:
                c = counts.setdefault((sid, label), np.zeros(4))  # [said&true, true, said&false, false]
                if label_true(kb, label, truth):
                    c[0] += label in said
                    c[1] += 1
                else:
                    c[2] += label in said
                    c[3] += 1
        return counts

    def _prior(self, speaker: str, label: str) -> tuple[float, float]:
        kb = self._kb()
        sp = kb.speakers.get(speaker)
        r = ADMIRALTY_RELIABILITY[sp.reliability] if sp else 0.5
        lam = sp.labels.get(label, 0.0) if sp else 0.0
        return min(max(r, 0.02), 0.98), min(max(lam, 0.02), 0.98)

    def _neg_log_post(self, x: np.ndarray, c: np.ndarray, r0: float, l0: float, with_prior: bool = True) -> float:
        from scipy.special import expit  # scipy is imported when a model is fitted, not at start-up

        r, lam = expit(x)
        p1, p0 = report_probabilities(r, lam)
        eps = 1e-12
        ll = c[0] * np.log(p1 + eps) + (c[1] - c[0]) * np.log(1 - p1 + eps) + c[2] * np.log(p0 + eps) + (c[3] - c[2]) * np.log(1 - p0 + eps)
        if with_prior:
            k = self.strength
            ll += (k * r0) * np.log(r) + (k * (1 - r0)) * np.log(1 - r) + (k * l0) * np.log(lam) + (k * (1 - l0)) * np.log(1 - lam)
        return float(-ll)

    def fit(self, statements: Sequence[AttributionStatement], outcomes: Sequence[Hypothesis]) -> "SpeakerBiasModel":
        """Estimate (reliability, label rate) per (speaker, label) from statements about resolved cases."""
        if self.strength < 0:
            raise EstimationError("prior strength must be non-negative")
        from scipy.optimize import minimize
        from scipy.special import expit, logit

        self.params_: dict[tuple[str, str], tuple[float, float]] = {}
        self.counts_ = self._counts(statements, outcomes)
        for (speaker, label), c in self.counts_.items():
            r0, l0 = self._prior(speaker, label)
            res = minimize(self._neg_log_post, x0=np.array([logit(r0), logit(l0)]), args=(c, r0, l0), method="L-BFGS-B",
                           bounds=[(-9.0, 9.0), (-9.0, 9.0)])
            r, lam = expit(res.x)
            self.params_[(speaker, label)] = (float(r), float(lam))
        return self

    def _check(self) -> None:
        if not hasattr(self, "params_"):
            raise EstimationError("SpeakerBiasModel is not fitted; call fit() first")

    def rates(self, speaker: str, label: str) -> tuple[float, float] | None:
        """(reliability, label rate) learned for ``speaker`` and ``label``, or None when it had no data."""
        self._check()
        return self.params_.get((speaker, label))

    def score(self, statements: Sequence[AttributionStatement], outcomes: Sequence[Hypothesis]) -> float:
        """Log-likelihood of the statements' labels given the outcomes under the fitted rates."""
        self._check()
        from scipy.special import logit

        total = 0.0
        for key, c in self._counts(statements, outcomes).items():
            r, lam = self.params_.get(key, self._prior(*key))
            total -= self._neg_log_post(np.array([logit(r), logit(lam)]), c, 0.5, 0.5, with_prior=False)
        return total
