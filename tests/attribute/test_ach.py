"""ACH matrix: Heuer scoring, diagnosticity, rule-based and engine-derived cells, rendering."""

from __future__ import annotations

import math
import re

import pytest

from tripwire.attribute.ach import (
    LEVEL_WEIGHTS,
    AchEvidence,
    AchHypothesis,
    AchMatrix,
    Consistency,
    ach_html,
    ach_matrix,
    rate_statement,
    render_ach,
    render_ach_ranking,
)
from tripwire.errors import InputError
from tripwire.model import (
    AttributionKind,
    AttributionResult,
    AttributionStatement,
    EvidenceContribution,
    Hypothesis,
    Incident,
    PosteriorEntry,
    Source,
)

C = Consistency
KH = "kataib-hezbollah"


def _matrix() -> AchMatrix:
    hyps = tuple(AchHypothesis(label) for label in ("H1", "H2", "H3"))
    rows = (
        AchEvidence("claim", (C.CC, C.I, C.II), credibility="high", relevance="high"),
        AchEvidence("allegation", (C.C, C.I, C.N), credibility="low", relevance="medium"),
        AchEvidence("background", (C.C, C.C, C.C)),
        AchEvidence("denial", (C.N, C.N, C.I), credibility="medium", relevance="low"),
    )
    return AchMatrix(hypotheses=hyps, evidence=rows, title="test")


def test_unweighted_inconsistency_counts_i_as_one_and_ii_as_two() -> None:
    assert _matrix().inconsistency() == {"H1": 0.0, "H2": 2.0, "H3": 3.0}


def test_weighted_inconsistency_multiplies_credibility_by_relevance() -> None:
    w = LEVEL_WEIGHTS
    got = _matrix().inconsistency(weighted=True)
    assert got["H1"] == 0.0
    assert got["H2"] == pytest.approx(w["high"] * w["high"] + w["low"] * w["medium"])
    assert got["H3"] == pytest.approx(2 * w["high"] * w["high"] + w["medium"] * w["low"])
    # two "high"s double an I; two "low"s halve it
    assert w["high"] ** 2 == pytest.approx(2.0) and w["low"] ** 2 == pytest.approx(0.5)


def test_ranking_is_least_inconsistent_first() -> None:
    assert [label for label, _ in _matrix().ranking()] == ["H1", "H2", "H3"]


def test_ranking_ties_break_on_consistency_then_column_order() -> None:
    m = AchMatrix(hypotheses=(AchHypothesis("B"), AchHypothesis("A"), AchHypothesis("Z")), evidence=(AchEvidence("x", (C.C, C.CC, C.I)),))
    assert [label for label, _ in m.ranking()] == ["A", "B", "Z"]


def test_ranking_ties_keep_column_order() -> None:
    m = AchMatrix(hypotheses=(AchHypothesis("B"), AchHypothesis("A")), evidence=(AchEvidence("x", (C.I, C.I)),))
    assert [label for label, _ in m.ranking()] == ["B", "A"]


@pytest.mark.parametrize(
    ("cells", "spread", "diagnostic"),
    [
        ((C.C, C.C, C.C), 0, False),
        ((C.II, C.II, C.II), 0, False),
        ((C.C, C.N, C.C), 1, True),
        ((C.CC, C.N, C.II), 4, True),
    ],
)
def test_diagnosticity(cells: tuple[Consistency, ...], spread: int, diagnostic: bool) -> None:
    row = AchEvidence("e", cells)
    assert row.diagnosticity == spread
    assert row.diagnostic is diagnostic


def test_non_diagnostic_rows_are_listed_and_can_be_left_out() -> None:
    m = _matrix()
    assert m.non_diagnostic() == ("background",)
    m2 = AchMatrix(hypotheses=m.hypotheses, evidence=(*m.evidence, AchEvidence("all-I", (C.I, C.I, C.I))))
    assert m2.inconsistency()["H1"] == 1.0
    assert m2.inconsistency(diagnostic_only=True)["H1"] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hypotheses": (AchHypothesis("a"), AchHypothesis("a")), "evidence": ()}, "distinct"),
        ({"hypotheses": (AchHypothesis("a"),), "evidence": (AchEvidence("e", (C.C, C.I)),)}, "2 ratings for 1"),
    ],
)
def test_malformed_matrix_is_an_input_error(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        AchMatrix(**kwargs)


def test_bad_credibility_is_an_input_error() -> None:
    with pytest.raises(InputError, match="credibility"):
        AchEvidence("e", (C.C,), credibility="certain")


@pytest.mark.parametrize(("score", "cell"), [(3, C.CC), (2, C.CC), (1, C.C), (0.4, C.N), (0, C.N), (-1, C.I), (-2, C.II), (-7, C.II)])
def test_consistency_from_score(score: float, cell: Consistency) -> None:
    assert Consistency.from_score(score) is cell


# -- rule-based cells -----------------------------------------------------------

US = Source(speaker="US officials", speaker_id="us-administration")
IRAN_GOV = Source(speaker="Iranian foreign ministry", speaker_id="iran-government")
SABEREEN = Source(speaker="statement", speaker_id="militia-telegram", via="Sabereen News")


def _st(actor: str, kind: AttributionKind, source: Source = US, **kw: object) -> AttributionStatement:
    return AttributionStatement(actor=actor, kind=kind, asserted_by=source, **kw)  # type: ignore[arg-type]


KH_IND = Hypothesis(perpetrator=KH)
KH_SUP = Hypothesis(perpetrator=KH, sponsor="iran", relation="supported")
KH_ORD = Hypothesis(perpetrator=KH, sponsor="iran", relation="ordered")
ISIS = Hypothesis(perpetrator="isis")
IRGC = Hypothesis(perpetrator="irgc", sponsor="iran", relation="executed")


@pytest.mark.parametrize(
    ("statement", "hypothesis", "expected"),
    [
        # a claim by the group itself, or by its front, is very consistent; others are inconsistent
        (_st("isis", AttributionKind.CLAIMED, Source(speaker="Amaq", speaker_id="isis-amaq")), ISIS, C.CC),
        (_st("isis", AttributionKind.CLAIMED, Source(speaker="Amaq", speaker_id="isis-amaq")), KH_SUP, C.I),
        (_st("saraya-awliya-al-dam", AttributionKind.CLAIMED, SABEREEN), KH_IND, C.CC),
        (_st("irgc", AttributionKind.CLAIMED), IRGC, C.CC),
        # allegations: consistent with the named group, inconsistent with others unless hedged
        (_st(KH, AttributionKind.ALLEGED), KH_SUP, C.C),
        (_st(KH, AttributionKind.ALLEGED), ISIS, C.I),
        (_st(KH, AttributionKind.ALLEGED, hedges=("suspected",)), ISIS, C.N),
        (_st(KH, AttributionKind.ALLEGED, hedges=("suspected",)), KH_SUP, C.C),
        (_st("iran-aligned-militia", AttributionKind.ALLEGED), KH_IND, C.C),
        # an asserted sponsor link at the hypothesis' level strengthens it
        (_st(KH, AttributionKind.ALLEGED, sponsor="iran", relation="supported"), KH_SUP, C.CC),
        (_st(KH, AttributionKind.ALLEGED, sponsor="iran", relation="ordered"), KH_ORD, C.CC),
        (_st(KH, AttributionKind.ALLEGED, sponsor="iran", relation="ordered"), KH_SUP, C.N),
        (_st(KH, AttributionKind.ALLEGED, sponsor="iran", relation="ordered"), KH_IND, C.N),
        # routine denials by the accused or its sponsor are neutral; a third party's denial is not
        (_st("iran", AttributionKind.DENIED, IRAN_GOV), IRGC, C.N),
        (_st("iran", AttributionKind.DENIED, Source(speaker="Iraqi government", speaker_id="iraqi-government")), IRGC, C.I),
        # disputes weigh against the disputed actor only
        (_st(KH, AttributionKind.DISPUTED), KH_SUP, C.I),
        (_st(KH, AttributionKind.DISPUTED), ISIS, C.N),
        (_st("unknown", AttributionKind.DISPUTED, hedges=("not yet determined",)), KH_SUP, C.N),
    ],
)
def test_rate_statement(kb, statement: AttributionStatement, hypothesis: Hypothesis, expected: Consistency) -> None:
    assert rate_statement(statement, hypothesis, kb) is expected


def _erbil() -> Incident:
    return Incident(
        id="2021-02-15-erbil",
        weapon="rocket",
        attributions=(
            _st("saraya-awliya-al-dam", AttributionKind.CLAIMED, SABEREEN),
            _st("iran", AttributionKind.DENIED, IRAN_GOV),
            _st(KH, AttributionKind.ALLEGED, Source(speaker="Pentagon", speaker_id="pentagon"), sponsor="iran", relation="supported"),
        ),
        summary="Rockets <script>alert(1)</script> & more hit Erbil",
    )


def test_rule_matrix_for_claimed_militia_attack_ranks_the_claimant_first(kb) -> None:
    hyps = [KH_IND, KH_SUP, KH_ORD, ISIS, Hypothesis(perpetrator="unknown")]
    m = ach_matrix(_erbil(), hyps, kb)
    assert m.method == "rules"
    assert m.labels == tuple(h.key for h in hyps)
    assert len(m.evidence) == 4  # three statements + the weapon
    assert m.evidence[-1].label.startswith("weapon:")
    best = m.ranking()[0][0]
    assert best == KH_SUP.key
    # the routine Iranian denial rates everything alike
    assert "non" not in m.evidence[1].label and not m.evidence[1].diagnostic
    scores = m.inconsistency(weighted=True)
    assert scores[ISIS.key] > scores[KH_SUP.key]
    # the claim came through a D-graded channel: low credibility
    assert m.evidence[0].credibility == "low"
    assert m.evidence[2].credibility == "high"


def test_engine_log_lr_cells_use_thresholds(kb) -> None:
    t, big_t = math.log(1.5), math.log(5.0)
    hyps = [KH_SUP, ISIS, Hypothesis(perpetrator="unknown")]
    item = EvidenceContribution(
        label="claim by Saraya Awliya al-Dam",
        kind="claimed",
        source=SABEREEN,
        weight=0.9,
        log_lr={KH_SUP.key: big_t + 0.1, ISIS.key: -(t + 0.01), "unknown|-|independent": -(big_t + 1)},
    )
    flat = EvidenceContribution(label="weapon", kind="weapon", weight=0.3, log_lr={k: 0.1 for k in (KH_SUP.key, ISIS.key)})
    result = AttributionResult(
        incident_id="x",
        posterior=tuple(PosteriorEntry(hypothesis=h, prior=1 / 3, probability=p) for h, p in zip(hyps, (0.8, 0.1, 0.1))),
        evidence=(item, flat),
    )
    m = ach_matrix(_erbil(), None, kb, result=result, center=False)
    assert m.method == "engine-log-lr"
    assert m.labels == tuple(h.key for h in hyps)
    assert m.evidence[0].cells == (C.CC, C.I, C.II)
    assert m.evidence[1].cells == (C.N, C.N, C.N)
    assert m.evidence[1].relevance == "low" and m.evidence[0].relevance == "high"
    assert m.ranking()[0][0] == KH_SUP.key


def test_engine_log_lr_rows_are_centred_on_their_midrange(kb) -> None:
    # the engine's baseline is arbitrary: a claim that lifts one hypothesis by 5 nats and leaves
    # the others at 0 is as much evidence AGAINST the others as FOR the claimant
    hyps = [KH_SUP, ISIS, IRGC]
    claim = EvidenceContribution(label="claim", kind="claimed", weight=1.0, log_lr={ISIS.key: 5.0})
    shifted = EvidenceContribution(label="flat", kind="weapon", weight=1.0, log_lr={h.key: 3.0 for h in hyps})
    mild = EvidenceContribution(label="mild", kind="alleged", weight=1.0, log_lr={KH_SUP.key: 1.2, ISIS.key: 0.6, IRGC.key: 0.0})
    result = AttributionResult(
        incident_id="x",
        posterior=tuple(PosteriorEntry(hypothesis=h, prior=1 / 3, probability=1 / 3) for h in hyps),
        evidence=(claim, shifted, mild),
    )
    m = ach_matrix(_erbil(), None, kb, result=result)
    assert m.evidence[0].cells == (C.II, C.CC, C.II)
    assert m.evidence[1].cells == (C.N, C.N, C.N)
    assert m.evidence[2].cells == (C.C, C.N, C.I)
    assert m.ranking()[0][0] == ISIS.key


@pytest.mark.parametrize(
    ("hypothesis", "words"),
    [
        (Hypothesis(perpetrator="iran", sponsor="iran", relation="executed"), "Iran (the state's own forces)"),
        (IRGC, "Islamic Revolutionary Guard Corps, forces of Iran"),
        (KH_ORD, "Kataib Hezbollah, ordered by Iran"),
        (ISIS, "Islamic State, acting independently"),
    ],
)
def test_describe_hypothesis(kb, hypothesis: Hypothesis, words: str) -> None:
    from tripwire.attribute.ach import describe_hypothesis

    assert describe_hypothesis(hypothesis, kb) == words


def test_bad_thresholds_are_rejected(kb) -> None:
    with pytest.raises(InputError):
        ach_matrix(_erbil(), [ISIS], kb, thresholds=(1.0, 0.5))


def test_html_fragment_escapes_everything(kb) -> None:
    m = ach_matrix(_erbil(), [KH_SUP, ISIS], kb)
    out = ach_html(m)
    assert out.startswith("<table") and out.endswith("</table>")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; more" in out
    assert out.count("<tr") == len(m.evidence) + 2  # header, rows, footer
    # every hypothesis column appears, with its rank
    assert re.search(r"\(#1\)", out) and re.search(r"\(#2\)", out)


def test_rich_table_has_a_column_per_hypothesis(kb) -> None:
    from rich.console import Console

    m = ach_matrix(_erbil(), [KH_SUP, ISIS], kb)
    table = render_ach(m)
    assert len(table.columns) == 3 + 2 + 1
    console = Console(record=True, width=200)
    console.print(table)
    text = console.export_text()
    assert "weighted inconsistency" in text and KH_SUP.key in text
    many = ach_matrix(_erbil(), [KH_SUP, KH_ORD, ISIS, IRGC], kb)
    console = Console(record=True, width=100)
    console.print(render_ach(many))
    console.print(render_ach_ranking(many))
    text = console.export_text()
    assert "H4" in text and "Hypotheses, least inconsistent first" in text
    ranking_rows = [line for line in text.splitlines() if line.startswith("│ 1 ")]
    assert ranking_rows and "H1" in ranking_rows[0]


def test_to_dict_is_json_ready(kb) -> None:
    import json

    d = ach_matrix(_erbil(), [KH_SUP, ISIS], kb).to_dict()
    again = json.loads(json.dumps(d))
    assert again["ranking"][0] == KH_SUP.key
    assert set(again["evidence"][0]["cells"]) == {KH_SUP.key, ISIS.key}
