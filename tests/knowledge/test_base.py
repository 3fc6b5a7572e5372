from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.errors import KnowledgeError
from tripwire.knowledge import KnowledgeBase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rockets apparently fired by an Iranian-backed Iraqi militia", "iran-aligned-militia"),
        ("US airstrikes against Kataib Hezbollah", "kataib-hezbollah"),
        ("Kata'ib Hizballah denied it", "kataib-hezbollah"),
        ("a group like ISIS would benefit", "isis"),
        ("Saraya Awliya al-Dam claimed the attack", "saraya-awliya-al-dam"),
    ],
)
def test_find_actors_longest_alias_wins(kb: KnowledgeBase, text: str, expected: str) -> None:
    ids = [m[2] for m in kb.find_actors(text)]
    assert expected in ids


def test_short_acronyms_are_case_sensitive(kb: KnowledgeBase) -> None:
    assert [m[2] for m in kb.find_actors("it is what IS wants")] == ["isis"]
    assert kb.find_actors("this is us") == []


def test_places_have_country_and_coordinates(kb: KnowledgeBase) -> None:
    entry = kb.resolve_place("Green Zone")
    assert entry is not None and entry.country == "IQ"
    assert 33 < entry.lat < 34 and 44 < entry.lon < 45
    assert kb.resolve_place("Ain al-Asad").id == "al-asad"


def test_front_group_inherits_sponsor(kb: KnowledgeBase) -> None:
    links = kb.sponsors_of("saraya-awliya-al-dam")
    assert links and links[0].sponsor == "iran"


def test_relation_words(kb: KnowledgeBase) -> None:
    assert kb.relation_from_word("backed") == "supported"
    assert kb.relation_from_word("instructed") == "ordered"
    assert kb.relation_rank("ordered") > kb.relation_rank("supported") > kb.relation_rank("independent")


def test_user_folder_extends_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "actors.yaml").write_text(
        "actors:\n"
        "  - {id: new-front, name: New Front, kind: front, front_for: kataib-hezbollah, aliases: [Liwa al-Mithal al-Tajribi]}\n"
        "  - {id: isis, name: Islamic State (renamed), kind: insurgent, aliases: [Daesh]}\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    assert kb.resolve_actor("Liwa al-Mithal al-Tajribi") == "new-front"  # a made-up name
    assert kb.actors["isis"].name == "Islamic State (renamed)"
    assert kb.resolve_actor("ISIL") is None  # override replaced the alias list


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("actors.yaml", "actors:\n  - {id: x, sponsors: [{sponsor: nowhere}]}\n", "sponsor 'nowhere'"),
        ("actors.yaml", "actors: [unclosed\n", "not valid YAML"),
        ("outlets.yaml", "outlets:\n  - {id: o, reliability: Z}\n", "Admiralty"),
        ("priors.yaml", "perpetrators: {ghost: 0.5}\n", "unknown perpetrator"),
        ("gazetteer.csv", "id,name,country,lat,lon\nx,X,IQ,95,10\n", "out of range"),
    ],
)
def test_bad_knowledge_files_are_named(tmp_path: Path, filename: str, content: str, message: str) -> None:
    (tmp_path / filename).write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        KnowledgeBase.load(tmp_path)
