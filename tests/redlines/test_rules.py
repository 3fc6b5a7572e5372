"""Rule files: the bundled examples, the condition language, and every kind of bad rule."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.errors import RuleError
from tripwire.redlines import load_rules, parse_rules
from tripwire.redlines.conditions import AllOf, AttributionCondition, CasualtyCondition, condition_to_data
from tripwire.redlines.standards import DEFAULT_STANDARDS, standard_table

GOOD = """
rules:
  - id: {rid}
    title: Test line
    declared_by: {{speaker: Someone}}
    consequence: Something happens.
    condition:
{condition}
    standard: {standard}
"""


def rule_text(condition: str, *, standard: str = "preponderance", rid: str = "r1") -> str:
    return GOOD.format(rid=rid, standard=standard, condition=textwrap.indent(textwrap.dedent(condition).strip(), " " * 6))


def test_bundled_rules_load_and_carry_the_seed_line(kb):
    rules = {r.id: r for r in load_rules(kb=kb)}
    assert len(rules) >= 3
    seed = rules["us-american-killed-iran-instructed"]
    assert seed.declared_on == dt.date(2020, 11, 18)
    assert seed.declared_by.anonymous_relay is True and seed.declared_by.outlet == "washington-post"
    assert (seed.standard, seed.threshold, seed.watch_fraction) == ("preponderance", 0.5, 0.5)
    assert isinstance(seed.condition, AllOf)
    casualty, attribution = seed.condition.all
    assert isinstance(casualty, CasualtyCondition) and casualty.nationality == "US" and casualty.min_count == 1
    assert isinstance(attribution, AttributionCondition)
    # relation_at_least: ordered maps to every level ranked at or above it in relations.yaml
    assert attribution.resolved_relations == frozenset({"ordered", "executed"})


def test_relation_ranks_come_from_the_knowledge_base(kb):
    (rule,) = parse_rules(rule_text("attribution: {sponsor: iran, relation_at_least: supported}"), kb=kb)
    assert rule.condition.resolved_relations == frozenset({"supported", "coordinated", "ordered", "executed"})
    (rule,) = parse_rules(rule_text("attribution: {sponsor: iran}"), kb=kb)
    assert "independent" not in rule.condition.resolved_relations and "encouraged" in rule.condition.resolved_relations


def test_aligned_with_resolves_militias_fronts_and_categories(kb):
    (rule,) = parse_rules(rule_text("attribution: {aligned_with: iran}"), kb=kb)
    aligned = rule.condition.aligned_perpetrators
    assert {"kataib-hezbollah", "asaib-ahl-al-haq", "iran-aligned-militia"} <= aligned
    assert "isis" not in aligned and "iran" not in aligned
    assert rule.condition.matches("kataib-hezbollah", "iran", "independent")
    assert not rule.condition.matches("isis", None, "independent")


def test_state_organ_counts_as_executed(kb):
    (rule,) = parse_rules(rule_text("attribution: {sponsor: iran, relations: [executed]}"), kb=kb)
    cond = rule.condition
    assert cond.matches("irgc", None, "independent")
    assert cond.matches("iran", None, "independent")
    assert not cond.matches("kataib-hezbollah", "iran", "ordered")


@pytest.mark.parametrize(
    ("standard", "name", "threshold"),
    [("preponderance", "preponderance", 0.5), ("beyond-reasonable-doubt", "beyond-reasonable-doubt", 0.95), ("0.6", "p>=0.6", 0.6), ("reasonable-suspicion", "reasonable-suspicion", 0.3)],
)
def test_standards_by_name_or_number(kb, standard, name, threshold):
    (rule,) = parse_rules(rule_text("casualties: {nationality: US}", standard=standard), kb=kb)
    assert (rule.standard, rule.threshold) == (name, threshold)


def test_rule_file_can_define_a_standard_and_defaults(kb):
    text = "standards: {analyst-hunch: 0.2}\ndefaults: {reporting_confidence: 0.8, watch_floor: 0.05}\n" + rule_text("casualties: {nationality: US}", standard="analyst-hunch")
    (rule,) = parse_rules(text, kb=kb)
    assert (rule.standard, rule.threshold, rule.reporting_confidence, rule.watch_floor) == ("analyst-hunch", 0.2, 0.8, 0.05)
    assert standard_table({"analyst-hunch": 0.2})["analyst-hunch"].threshold == 0.2
    assert DEFAULT_STANDARDS["clear-and-convincing"].words == "likely"


BAD = [
    ("bad-yaml", "rules: [\n  - id: x\n    title: [unclosed", None, "not valid YAML"),
    ("not-a-mapping", "- just a list", "rules", "'rules:' list"),
    ("unknown-top-key", "rules: []\nrulez: []", "rulez", "unknown top-level key"),
    ("unknown-actor", rule_text("attribution: {sponsor: atlantis, relation_at_least: ordered}"), "condition.attribution.sponsor", "unknown actor 'atlantis'"),
    ("unknown-perpetrator", rule_text("attribution: {perpetrators: [kataib-hezbolah]}"), "condition.attribution.perpetrators", "unknown actor 'kataib-hezbolah'"),
    ("unknown-level", rule_text("attribution: {sponsor: iran, relation_at_least: commandeered}"), "condition.attribution.relation_at_least", "unknown relation level 'commandeered'"),
    ("unknown-level-list", rule_text("attribution: {sponsor: iran, relations: [ordered, bribed]}"), "condition.attribution.relations", "unknown relation level 'bribed'"),
    ("level-without-sponsor", rule_text("attribution: {perpetrators: [isis], relation_at_least: ordered}"), "condition.attribution", "need a sponsor"),
    ("empty-attribution", rule_text("attribution: {}"), "condition.attribution", "at least one of"),
    ("unknown-standard", rule_text("casualties: {nationality: US}", standard="gut-feeling"), "standard", "unknown standard 'gut-feeling'"),
    ("threshold-out-of-range", rule_text("casualties: {nationality: US}", standard="1.5"), "threshold", "(0, 1]"),
    ("wrong-type-count", rule_text("casualties: {nationality: US, min_count: two}"), "condition.casualties.min_count", "integer"),
    ("zero-count", rule_text("casualties: {nationality: US, min_count: 0}"), "condition.casualties.min_count", "greater than or equal to 1"),
    ("bad-status", rule_text("casualties: {status: maimed}"), "condition.casualties.status", "killed"),
    ("bad-country", rule_text("casualties: {nationality: USA}"), "condition.casualties.nationality", "alpha-2"),
    ("unknown-leaf-field", rule_text("casualties: {nationality: US, colour: red}"), "condition.casualties.colour", "Extra inputs"),
    ("unknown-condition", rule_text("weather: {rain: true}"), "condition", "unknown condition 'weather'"),
    ("two-keys", rule_text("{casualties: {nationality: US}, place: {countries: [IQ]}}"), "condition", "exactly one key"),
    ("empty-all", rule_text("all: []"), "condition.all", "non-empty list"),
    ("nested-error-path", rule_text("all:\n  - casualties: {nationality: US}\n  - any:\n      - place: {places: [atlantis]}"), "condition.all[1].any[0].place.places", "unknown gazetteer place"),
    ("bad-date", rule_text("date: {from: 2020-02-30}"), None, "day is out of range"),
    ("date-order", rule_text("date: {from: 2021-01-01, to: 2020-01-01}"), "condition.date", "is after"),
    ("unknown-weapon", rule_text("weapon: {weapons: [railgun]}"), "condition.weapon.weapons", "unknown weapon 'railgun'"),
    ("unknown-rule-field", rule_text("casualties: {nationality: US}").replace("    consequence:", "    severity: high\n    consequence:"), "severity", "unknown field"),
    ("bad-id", rule_text("casualties: {nationality: US}", rid="Has Spaces"), "id", "slug"),
    ("missing-title", rule_text("casualties: {nationality: US}").replace("    title: Test line\n", ""), "title", "Field required"),
    ("bad-watch-fraction", rule_text("casualties: {nationality: US}").replace("    consequence:", "    watch_fraction: 2\n    consequence:"), "watch_fraction", "less than or equal to 1"),
    ("unknown-speaker", rule_text("casualties: {nationality: US}").replace("{speaker: Someone}", "{speaker: X, speaker_id: nobody}"), "declared_by.speaker_id", "unknown speaker"),
]


@pytest.mark.parametrize(("case", "text", "field", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_bad_rules_raise_rule_error_naming_file_rule_and_field(kb, case, text, field, fragment):
    with pytest.raises(RuleError) as info:
        parse_rules(text, origin="my-rules.yaml", kb=kb)
    err = info.value
    assert err.detail["file"] == "my-rules.yaml"
    assert str(err).startswith("my-rules.yaml")
    if field is not None:
        assert err.detail["field"] is not None and err.detail["field"].startswith(field), err.detail
        assert f"field {err.detail['field']}" in str(err)
    if err.detail.get("rule"):
        assert f"rule {err.detail['rule']!r}" in str(err)
    assert fragment in str(err), str(err)


def test_duplicate_ids_are_refused(kb):
    text = rule_text("casualties: {nationality: US}") + textwrap.indent(yaml.safe_dump(yaml.safe_load(rule_text("casualties: {nationality: IQ}"))["rules"]), "  ")
    with pytest.raises(RuleError, match="duplicate rule id") as info:
        parse_rules(text, kb=kb)
    assert info.value.detail["rule"] == "r1"


def test_missing_and_unreadable_files(tmp_path: Path, kb):
    with pytest.raises(RuleError, match="cannot be read"):
        load_rules(tmp_path / "nope.yaml", kb=kb)
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("rules: [caf\xe9]".encode("latin-1"))
    with pytest.raises(RuleError, match="cannot be read"):
        load_rules(bad, kb=kb)


# -- round trip: condition trees survive condition_to_data -> YAML -> loader ------------

leaves = st.one_of(
    st.builds(lambda n, k, c: {"casualties": {"status": "killed", "nationality": n, "min_count": k, **({"category": [c]} if c else {})}},
              st.sampled_from(["US", "IQ", "GB"]), st.integers(1, 5), st.sampled_from([None, "contractor", "service-member"])),
    st.builds(lambda s, lvl: {"attribution": {"sponsor": s, "relation_at_least": lvl}}, st.sampled_from(["iran", "usa"]), st.sampled_from(["supported", "ordered", "executed"])),
    st.builds(lambda p: {"attribution": {"perpetrators": p}}, st.lists(st.sampled_from(["isis", "kataib-hezbollah", "unknown"]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda c: {"place": {"countries": c}}, st.lists(st.sampled_from(["IQ", "SY"]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda d: {"date": {"from": d.isoformat()}}, st.dates(dt.date(2019, 1, 1), dt.date(2022, 1, 1))),
)
trees = st.recursive(leaves, lambda kids: st.one_of(
    st.builds(lambda xs: {"all": xs}, st.lists(kids, min_size=1, max_size=3)),
    st.builds(lambda xs: {"any": xs}, st.lists(kids, min_size=1, max_size=3)),
    st.builds(lambda x: {"not": x}, kids),
), max_leaves=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees)
def test_condition_round_trip(kb, tree):
    text = yaml.safe_dump({"rules": [{"id": "rt", "title": "t", "declared_by": {"speaker": "s"}, "consequence": "c", "condition": tree, "standard": "preponderance"}]})
    (rule,) = parse_rules(text, kb=kb)
    again = condition_to_data(rule.condition)
    text2 = yaml.safe_dump({"rules": [{"id": "rt", "title": "t", "declared_by": {"speaker": "s"}, "consequence": "c", "condition": again, "standard": "preponderance"}]})
    (rule2,) = parse_rules(text2, kb=kb)
    assert rule2 == rule
    assert rule2.describe_condition() == rule.describe_condition()
