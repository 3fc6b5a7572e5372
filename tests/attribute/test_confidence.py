"""ICD 203 analytic confidence of attributions: the basis counted from statements (sources.attribution_basis), and the engine's per-entry levels."""

from __future__ import annotations

import pytest

from tripwire.attribute import Attributor
from tripwire.attribute.sources import SourceSetting, attribution_basis
from tripwire.model import AttributionStatement, ConfidenceBasis, Incident, Source
from tripwire.settings import Settings

from .cases import FRONT_CLAIM, GREEN_ZONE, IRAQI_INTEL, KIRKUK, US, K, relayed

REUTERS = Source(outlet="Reuters", outlet_id="reuters")
PENTAGON = Source(speaker="Pentagon", speaker_id="pentagon")


def _with(incident: Incident, *statements: AttributionStatement) -> Incident:
    return incident.model_copy(update={"attributions": tuple(statements)})


KH = "kataib-hezbollah"
US_SAYS_KH = AttributionStatement(actor=KH, kind=K.ALLEGED, sponsor="iran", relation="supported", asserted_by=US)

CASES = [
    # (name, incident, expected basis)
    ("kirkuk: US and Iraqi intelligence name who, an outlet disputes", KIRKUK, ConfidenceBasis(origins=2, best_reliability=0.8, dissent=1)),
    ("green zone: one hedged outlet report, the same outlet says unclear", GREEN_ZONE, ConfidenceBasis(origins=1, best_reliability=0.8, dissent=1)),
    ("erbil: a front's claim on Telegram; Iran's denial is not dissent", FRONT_CLAIM, ConfidenceBasis(origins=1, best_reliability=0.5, dissent=0)),
    ("five outlets relaying one US statement are one origin",
     _with(KIRKUK, *relayed(US_SAYS_KH.model_copy(update={"asserted_by": US.model_copy(update={"via": "US officials"})}), ["Reuters", "AP", "AFP", "BBC", "CNN"])),
     ConfidenceBasis(origins=1, best_reliability=0.8, dissent=0)),  # judged by the speaker's grade, not the carriers'

    ("three independent origins, Reuters graded A",
     _with(KIRKUK, US_SAYS_KH, AttributionStatement(actor=KH, kind=K.ASSESSED, asserted_by=IRAQI_INTEL),
           AttributionStatement(actor=KH, kind=K.ALLEGED, asserted_by=REUTERS)),
     ConfidenceBasis(origins=3, best_reliability=0.95, dissent=0)),
    ("a statement naming nobody ('unknown') is no origin", _with(KIRKUK, AttributionStatement(actor="unknown", kind=K.ALLEGED, asserted_by=US)),
     ConfidenceBasis(origins=0, best_reliability=None, dissent=0)),
    ("no statements at all", _with(KIRKUK), ConfidenceBasis(origins=0)),
    ("two disputes from one origin are one dissent",
     _with(KIRKUK, US_SAYS_KH, *(AttributionStatement(actor=KH, kind=K.DISPUTED, hedges=(h,), asserted_by=IRAQI_INTEL) for h in ("no proof", "unclear"))),
     ConfidenceBasis(origins=1, best_reliability=0.8, dissent=1)),
]


@pytest.mark.parametrize(("incident", "basis"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_basis_counts_origins_reliability_and_dissent(kb, incident: Incident, basis: ConfidenceBasis) -> None:  # type: ignore[no-untyped-def]
    assert attribution_basis(kb, incident) == basis


def test_analyst_grade_overrides_change_the_best_reliability(kb) -> None:  # type: ignore[no-untyped-def]
    assert attribution_basis(kb, FRONT_CLAIM, {"militia-telegram": SourceSetting.parse("B")}).best_reliability == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("incident", "draws", "top_level"),
    [
        (KIRKUK, 200, "moderate"),  # two origins and a dispute: moderate at best
        (FRONT_CLAIM, 200, "low"),  # single-source claim by a D-graded channel
        (_with(KIRKUK, US_SAYS_KH, AttributionStatement(actor=KH, kind=K.ASSESSED, asserted_by=IRAQI_INTEL),
               AttributionStatement(actor=KH, kind=K.ALLEGED, asserted_by=REUTERS), AttributionStatement(actor=KH, kind=K.ALLEGED, asserted_by=PENTAGON)),
         0, "high"),  # four origins, A-graded, no dissent; no interval drawn: that factor is left out
    ],
)
def test_engine_puts_confidence_on_every_entry(kb, incident: Incident, draws: int, top_level: str) -> None:  # type: ignore[no-untyped-def]
    att = Attributor(kb, settings=Settings({"interval_draws": draws}, environ={}))
    result = att.attribute(incident, rng=1)
    assert result.basis == attribution_basis(kb, incident)
    assert all(e.confidence is not None for e in result.posterior)
    for e in result.posterior:  # each entry: the basis with its own interval
        assert e.confidence == result.basis.confidence(e.interval)
    assert result.posterior[0].confidence.value == top_level


def test_confidence_survives_the_store_and_old_rows_read_without_it(kb, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tripwire.store import Store

    result = Attributor(kb, settings=Settings({"interval_draws": 50}, environ={})).attribute(KIRKUK, rng=1)
    legacy = result.model_copy(update={"incident_id": "legacy", "basis": None,
                                       "posterior": tuple(e.model_copy(update={"confidence": None}) for e in result.posterior)})
    with Store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.save_incident(KIRKUK)
        store.save_incident(KIRKUK.model_copy(update={"id": "legacy"}))
        store.save_attribution(result)
        store.save_attribution(legacy)
        assert store.get_attribution(KIRKUK.id) == result
        assert store.get_attribution("legacy").basis is None
