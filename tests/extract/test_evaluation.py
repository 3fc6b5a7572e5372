"""The extraction evaluation: corpus layout, matching, scoring, the CLI, and the development corpus floor.

The small corpus here is written for these tests from public facts (the
Tower 22 drone attack in Jordan, January 2024; an acknowledged US strike; a
day of talks with no attack). The development corpus in
``../shared/corpus/news`` is read at run time when present; its figures are
asserted as floors that may only rise.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.errors import InputError
from tripwire.extract.evaluation import is_fragment, load_corpus, match_score, norm, place_ok, resolve_name, score_case, summarise
from tripwire.model import AttributionKind, AttributionStatement, GoldCase, Incident, Place, Source
from tripwire.app.evaluation import evaluate_extraction
from tripwire.report.evaluation import evaluation_json
from tripwire.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEV_CORPUS = REPO.parent / "shared" / "corpus" / "news"

TOWER22_A = """---
title: Drone attack on US outpost in Jordan kills three American troops
outlet: Reuters
published: 2024-01-29
---
A one-way attack drone struck Tower 22, a small US military outpost in northeastern Jordan near the Syrian border, on Sunday, killing three American service members and wounding more than 40 others, US Central Command said.

The Islamic Resistance in Iraq, an umbrella group of Iran-backed militias, claimed responsibility for the attack in a statement on Telegram.

Iran's foreign ministry denied any role in the attack.
"""

TOWER22_B = """---
title: Pentagon blames Kataib Hezbollah for deadly Jordan strike
outlet: Associated Press
published: 2024-01-30
---
The drone attack that killed three US soldiers at Tower 22 in Jordan on Sunday bore the footprints of Kataib Hezbollah, Pentagon press secretary Sabrina Singh said on Monday.
"""

STRIKE = """---
title: US strikes militia sites in eastern Syria
outlet: Associated Press
published: 2021-02-26
---
US aircraft struck facilities in eastern Syria used by Kataib Hezbollah and Kataib Sayyid al-Shuhada on Thursday, the Pentagon said.
"""

TALKS = """---
title: Talks on the nuclear deal resume in Vienna
outlet: Reuters
published: 2021-04-06
---
Diplomats from Iran and the remaining parties to the 2015 nuclear deal met in Vienna on Tuesday to discuss how the United States could rejoin the agreement.
"""


def _case(root: Path, name: str, gold: dict, articles: dict[str, str]) -> None:  # type: ignore[type-arg]
    folder = root / name
    folder.mkdir(parents=True)
    for file, text in articles.items():
        (folder / file).write_text(text, encoding="utf-8")
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    _case(
        root,
        "JO-2024-01-28-tower-22",
        {
            "id": "JO-2024-01-28-tower-22", "kind": "attack", "date": "2024-01-28", "country": "JO", "places": ["tower 22"], "weapon": "drone",
            "us_killed": 3, "claimed": ["Islamic Resistance in Iraq"], "us_attributed": ["Kataib Hezbollah"], "denied_by": ["Iran"],
        },
        {"01.md": TOWER22_A, "02.md": TOWER22_B},
    )
    _case(
        root,
        "SY-2021-02-25-strike",
        {
            "id": "SY-2021-02-25-strike", "kind": "action", "date": "2021-02-25", "country": "SY", "claimed": ["United States"],
            "actions": [{"kind": "airstrike", "actor": "United States", "target": "Kataib Hezbollah", "date": "2021-02-25"},
                        {"kind": "airstrike", "actor": "United States", "target": "Kataib Sayyid al-Shuhada", "date": "2021-02-25"}],
        },
        {"01.md": STRIKE},
    )
    _case(root, "AT-2021-04-06-talks", {"id": "AT-2021-04-06-talks", "kind": "none", "date": "2021-04-06", "country": "AT"}, {"01.md": TALKS})
    (root / "not-a-case").mkdir()  # no gold.json: ignored
    return root


@pytest.fixture(scope="module")
def result(corpus: Path):  # type: ignore[no-untyped-def]
    return evaluate_extraction(corpus, Settings())


def test_corpus_layout_is_read(corpus: Path) -> None:
    cases = load_corpus(corpus)
    assert [c.gold.id for c in cases] == ["AT-2021-04-06-talks", "JO-2024-01-28-tower-22", "SY-2021-02-25-strike"]
    assert [len(c.articles) for c in cases] == [1, 2, 1]


def test_the_attack_is_found_once_with_its_facts(result) -> None:  # type: ignore[no-untyped-def]
    case = next(c for c in result.cases if c.kind == "attack")
    assert case.fragments == 1 and case.primary is not None
    for name in ("attack_recall", "country", "date", "place", "weapon", "us_killed", "claims", "us_attribution", "denial_dissent"):
        assert case.fields[name] == (1, 1), (name, case.missed)


def test_the_strike_is_an_action_and_the_talks_are_nothing(result) -> None:  # type: ignore[no-untyped-def]
    strike = next(c for c in result.cases if c.kind == "action")
    assert strike.fields["action_recall"] == (2, 2), strike.missed
    assert strike.false_positives == 0
    talks = next(c for c in result.cases if c.kind == "none")
    assert talks.incidents == 0 and talks.false_positives == 0
    m = result.metrics
    assert (m["attack_recall"]["value"], m["attack_precision"]["value"], m["fragments"]["value"]) == (1.0, 1.0, 1.0)
    assert m["false_us_killed"]["total"] == 0 and m["false_us_killed"]["met"] is None


def test_cli_json_table_and_files_agree_with_python(corpus: Path, result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate-extraction", str(corpus), "--format", "json", "--out", str(tmp_path / "ev")])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["metrics"] == json.loads(json.dumps(evaluation_json(result)["metrics"]))
    assert json.loads((tmp_path / "ev" / "metrics.json").read_text(encoding="utf-8"))["metrics"] == data["metrics"]
    assert (tmp_path / "ev" / "cases.csv").read_text(encoding="utf-8").count("\n") == 4
    table = runner.invoke(app, ["evaluate-extraction", str(corpus)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "attack_recall" in table.output and "JO-2024-01-28-tower-22" in table.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read labels"),
        ('{"id": "x", "kind": "attack", "us_kiled": 1}', "us_kiled"),
        ('{"id": "x", "kind": "battle"}', "kind"),
        ('{"id": "x", "kind": "attack", "date": "2019-13-45"}', "date"),
    ],
)
def test_bad_labels_are_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "gold.json").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_corpus(tmp_path)


def test_a_folder_without_cases_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no case folders"):
        load_corpus(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_corpus(tmp_path / "missing")
    out = CliRunner().invoke(app, ["evaluate-extraction", str(tmp_path / "missing")])
    assert out.exit_code == 2 and "does not exist" in out.output


@pytest.mark.parametrize(
    ("name", "actor"),
    [("Houthis", "houthis"), ("al-Shabaab", "al-shabaab"), ("IRGC", "irgc"), ("Islamic State in the Greater Sahara", "isgs"),
     ("Pentagon (John Kirby)", "usa"), ("Kataib Sayyid al-Shuhada", "kataib-sayyid-al-shuhada"), ("A group nobody has heard of", None)],
)
def test_gold_names_resolve_against_the_knowledge_base(kb, name: str, actor: str | None) -> None:  # type: ignore[no-untyped-def]
    assert resolve_name(kb, name) == actor


GOLD = GoldCase(id="IQ-2020-01-08-al-asad", kind="attack", date=dt.date(2020, 1, 8), country="IQ", places=("ain al-asad", "anbar"))
AL_ASAD = Place(name="Al Asad Air Base", country="IQ", gazetteer_id="al-asad")
ERBIL = Place(name="Erbil", country="IQ", gazetteer_id="erbil")
TEHRAN = Place(name="Tehran", country="IR", gazetteer_id="tehran")


@pytest.mark.parametrize(
    ("date", "place", "matches", "fragment"),
    [
        (dt.date(2020, 1, 8), AL_ASAD, True, True),
        (dt.date(2020, 1, 9), AL_ASAD, True, True),  # a day later in another report
        (None, AL_ASAD, True, True),  # undated at the labelled place
        (dt.date(2020, 1, 8), None, True, True),  # the day, no place
        (dt.date(2020, 1, 10), ERBIL, True, False),  # two days later elsewhere in the country: another attack
        (dt.date(2020, 1, 8), TEHRAN, False, False),  # another country
        (dt.date(2019, 12, 27), AL_ASAD, False, False),  # twelve days off
    ],
)
def test_matching_and_fragments(kb, date: dt.date | None, place: Place | None, matches: bool, fragment: bool) -> None:  # type: ignore[no-untyped-def]
    inc = Incident(id="x", date=date, date_precision="day" if date else None, place=place)
    primary = Incident(id="p", date=GOLD.date, date_precision="day", place=AL_ASAD)
    assert (match_score(kb, inc, GOLD) > 0) == matches
    if matches:
        assert is_fragment(kb, inc, primary, GOLD) == fragment


def test_place_words_and_their_parent(kb) -> None:  # type: ignore[no-untyped-def]
    assert place_ok(kb, Incident(id="x", place=AL_ASAD), GOLD)
    assert not place_ok(kb, Incident(id="x", place=ERBIL), GOLD)
    assert norm("Ayn al-Asad") == "ayn al asad" and norm("al-Anbar") == "anbar"


def test_a_none_case_counts_every_incident_as_a_false_positive(kb) -> None:  # type: ignore[no-untyped-def]
    none = GoldCase(id="US-x", kind="none")
    score = score_case(kb, none, [Incident(id="a", date=dt.date(2021, 1, 1)), Incident(id="b")], [], [])
    assert score.false_positives == 2
    assert summarise([score])["attack_precision"]["value"] == 0.0


def _denial(actor: str, speaker: str | None = None, kind: AttributionKind = AttributionKind.DENIED) -> AttributionStatement:
    return AttributionStatement(kind=kind, actor=actor, asserted_by=Source(speaker=speaker))


def _blame(actor: str, speaker: str) -> AttributionStatement:
    return AttributionStatement(kind=AttributionKind.ALLEGED, actor=actor, asserted_by=Source(speaker=speaker))


@pytest.mark.parametrize(
    ("notes", "statements", "hits"),
    [
        # the denial by the accused meets both its name in denied_by and the note that tells it
        (("Iran's foreign ministry spokesman rejected the accusation",), [_denial("iran")], 2),
        (("Foreign Minister Zarif: the charge is baseless",), [_denial("iran", "Mohammad Javad Zarif")], 2),
        # a commentator's dissent is another fact: it needs a statement of its own
        (("A columnist argued the evidence was thin",), [_denial("iran")], 1),
        (("A columnist argued the evidence was thin",), [_denial("iran"), _denial("iran", kind=AttributionKind.DISPUTED)], 2),
        # one statement never meets two notes
        (("Iran has denied it", "Iran denied it again"), [_denial("iran")], 2),
        # its subject blaming someone the US did not name dissents; the US itself blaming another group does not
        (("The Iraqi military blamed an outlaw group",), [_denial("iran"), _blame("iran", "Pentagon"), _blame("unknown", "Iraqi military")], 2),
        (("The Iraqi military blamed an outlaw group",), [_denial("iran"), _blame("iran", "Pentagon"), _blame("unknown", "Pentagon")], 1),
    ],
)
def test_dissent_notes_are_met_once_by_whoever_made_them(kb, notes: tuple[str, ...], statements: list[AttributionStatement], hits: int) -> None:  # type: ignore[no-untyped-def]
    gold = GoldCase(id="IQ-x", kind="attack", date=dt.date(2020, 1, 8), country="IQ", denied_by=("Iran",), dissent=notes)
    inc = Incident(id="a", date=gold.date, date_precision="day", place=AL_ASAD, attributions=tuple(statements))
    score = score_case(kb, gold, [inc], [], [])
    assert score.fields["denial_dissent"] == (hits, 1 + len(notes))


#: The development corpus figures reached so far: a floor that may only rise (issue targets in docs/evaluation.md).
FLOORS = {
    "attack_recall": 1.00, "attack_precision": 0.95, "action_recall": 0.87, "country": 0.95, "date": 0.95, "place": 0.95, "weapon": 0.90,
    "us_killed": 1.00, "us_wounded": 1.00, "claims": 1.00, "us_attribution": 0.89, "sponsor": 1.00, "denial_dissent": 0.92, "red_lines": 0.91,
}
CEILINGS = {"fragments": 1.10, "false_us_killed": 0}


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason="the development corpus is not at ../shared/corpus/news")
def test_development_corpus_floor() -> None:
    res = evaluate_extraction(DEV_CORPUS, Settings())
    got = {k: v["value"] for k, v in res.metrics.items()}
    low = {k: (got[k], floor) for k, floor in FLOORS.items() if got[k] is None or got[k] < floor - 1e-9}
    high = {k: (got[k], cap) for k, cap in CEILINGS.items() if got[k] is None or got[k] > cap + 1e-9}
    assert not low and not high, (low, high)
