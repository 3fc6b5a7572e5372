"""Places and countries: codes, demonyms, provinces, spelling variants, case rules, loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.errors import KnowledgeError
from tripwire.knowledge import KnowledgeBase
from tripwire.knowledge.places import case_ok, skeleton, variants

THEATRE = "IQ SY JO IR SA AE QA BH KW OM YE IL PS LB EG TR AF PK SO KE DJ ET SD LY NE ML BF TD NG CM MR".split()


@pytest.mark.parametrize(
    ("code", "iso2"),
    [
        ("IQ", "IQ"),
        ("iq", "IQ"),
        ("IRQ", "IQ"),
        ("368", "IQ"),
        (368, "IQ"),
        ("IZ", "IQ"),  # FIPS
        ("KU", "KW"),  # FIPS
        (204, "BJ"),
        ("004", "AF"),
        ("AE", "AE"),
        ("ARE", "AE"),
        ("NG", "NG"),  # ISO-2 beats FIPS NG (= Niger)
        ("Syria", "SY"),
        ("Syrian Arab Republic", "SY"),
        ("Iran", "IR"),
        ("Russia", "RU"),
        ("UAE", "AE"),
        ("the UAE", "AE"),
        ("Emirates", "AE"),
        ("United Arab Emirates", "AE"),
        ("Britain", "GB"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Ivory Coast", "CI"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("DRC", "CD"),
        ("Palestine", "PS"),
        ("USA", "US"),
    ],
)
def test_country_by_code(kb: KnowledgeBase, code: str | int, iso2: str) -> None:
    country = kb.country_by_code(code)
    assert country is not None and country.iso2 == iso2


@pytest.mark.parametrize("code", ["the Gulf states", "XX", "999", "", "Gulf"])
def test_not_countries(kb: KnowledgeBase, code: str) -> None:
    assert kb.country_by_code(code) is None


def test_every_country_is_known(kb: KnowledgeBase) -> None:
    assert len(kb.countries) >= 240
    iq = kb.countries["IQ"]
    assert (iq.iso3, iq.numeric, iq.fips, iq.name, iq.place) == ("IRQ", "368", "IZ", "Iraq", "iraq")
    for c in kb.countries.values():
        entry = kb.places[c.place]
        assert entry.kind == "country" and entry.country == c.iso2


@pytest.mark.parametrize(
    ("word", "iso2"),
    [
        ("Nigerien", "NE"),
        ("Nigerian", "NG"),
        ("nigerians", "NG"),
        ("Emirati", "AE"),
        ("American", "US"),
        ("Americans", "US"),
        ("Briton", "GB"),
        ("British", "GB"),
        ("Iraqi", "IQ"),
        ("Kenyan", "KE"),
        ("Somali", "SO"),
        ("Qatari", "QA"),
        ("Bahraini", "BH"),
        ("Kuwaiti", "KW"),
        ("Omani", "OM"),
        ("Yemeni", "YE"),
        ("Jordanian", "JO"),
        ("Lebanese", "LB"),
        ("Palestinian", "PS"),
        ("Israeli", "IL"),
        ("Saudi", "SA"),
        ("Turkish", "TR"),
        ("Turk", "TR"),
        ("Filipino", "PH"),
        ("Vietnamese", "VN"),
        ("Indian", "IN"),
        ("Pakistani", "PK"),
        ("Romanian", "RO"),
        ("Afghan", "AF"),
        ("Malian", "ML"),
        ("Burkinabe", "BF"),
        ("Chadian", "TD"),
        ("Djiboutian", "DJ"),
        ("Sudanese", "SD"),
        ("South Sudanese", "SS"),
        ("Libyan", "LY"),
        ("Egyptian", "EG"),
        ("Syrian", "SY"),
        ("Iranian", "IR"),
        ("Russian", "RU"),
        ("Chinese", "CN"),
        ("French", "FR"),
        ("German", "DE"),
    ],
)
def test_demonyms(kb: KnowledgeBase, word: str, iso2: str) -> None:
    assert kb.demonyms[word.lower()] == iso2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ayn al-Asad", "al-asad"),
        ("Ain al Asad", "al-asad"),
        ("Deir Ezzor", "deir-ez-zor"),
        ("Deir ez-Zor", "deir-ez-zor"),
        ("Deir al-Zour", "deir-ez-zor"),
        ("Dayr az-Zawr", "deir-ez-zor"),
        ("Deir ez Zor", "deir-ez-zor"),
        ("Deir ez-Zor Governorate", "deir-ez-zor-governorate"),
        ("Al-Qaïm", "al-qaim"),
        ("Qaim", "al-qaim"),
        ("Ma’an", "maan"),
        ("Tal-Afar", "tal-afar"),
        ("Tall Afar", "tal-afar"),
        ("al-Mayadin", "mayadin"),
        ("Ar Raqqa", "raqqa"),
        ("Anbar", "anbar"),
        ("al-Anbar", "anbar"),
        ("Nineveh", "nineveh-governorate"),
        ("Ninawa", "nineveh-governorate"),
        ("Salah al-Din", "salahuddin"),
        ("Saladin", "salahuddin"),
        ("Kurdistan Region", "kurdistan-region"),
        ("Lamu County", "lamu-county"),
        ("Tillaberi region", "tillaberi-region"),
        ("Hodeidah governorate", "hodeidah-governorate"),
        ("Tongo Tongo", "tongo-tongo"),
        ("Dohuk", "duhok"),
    ],
)
def test_spelling_variants_resolve(kb: KnowledgeBase, name: str, expected: str) -> None:
    entry = kb.resolve_place(name)
    assert entry is not None and entry.id == expected


def test_fuzzy_fallback_prefers_same_country(kb: KnowledgeBase) -> None:
    entry = kb.resolve_place("Qamishlay")
    assert entry is not None and entry.id == "qamishli"
    assert kb.resolve_place("Qamishlay", fuzzy=False) is None
    assert kb.resolve_place("Hasakeh", "SY").id == "hasakah"
    assert kb.resolve_place("Zzyzzyqxw") is None


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("Ain al-Asad", "Ayn al-Asad"),
        ("Ain al-Asad", "Ain al Asad"),
        ("Deir ez-Zor", "Deir Ezzor"),
        ("Deir ez-Zor", "Deir al-Zor"),
        ("Deir ez-Zor", "Dayr ez-Zor"),
        ("Al-Qaim", "Qaim"),
        ("Ma'an", "Maan"),
        ("Ma'an", "Ma’an"),
        ("Hīt", "Hit"),
        ("Ar Raqqah", "Raqqa"),
        ("Tal Afar", "Tal-Afar"),
    ],
)
def test_variant_generator(name: str, variant: str) -> None:
    assert variant in variants(name)


def test_variants_stay_few(kb: KnowledgeBase) -> None:
    assert max(len(variants(n)) for n in ("Deir ez-Zor", "Ain al-Asad", "Ras al-Khaimah", "Umm al-Quwain")) <= 24
    names = sum(1 + len(p.aliases) for p in kb.places.values())
    assert names < 12 * len(kb.places)


def test_skeleton() -> None:
    assert skeleton("Deir ez-Zor") == skeleton("Dayr al-Zour") == skeleton("Deir Ezzor")


@pytest.mark.parametrize(
    ("alias", "surface", "match", "ok"),
    [
        ("Hit", "hit", "cased", False),
        ("Hit", "Hit", "cased", True),
        ("Hit", "HIT", "cased", True),
        ("Hit", "HIT", "exact-case", False),
        ("al-Qaim", "Al-Qaim", "cased", True),
        ("al-Qaim", "al-qaim", "cased", False),
        ("Mosul", "mosul", "any", True),
    ],
)
def test_case_rules(alias: str, surface: str, match: str, ok: bool) -> None:
    assert case_ok(alias, surface, match) is ok


def test_dangerous_names(kb: KnowledgeBase) -> None:
    assert kb.places["hit"].case_sensitive and kb.places["hit"].match == "exact-case"
    assert [m[2] for m in kb.find_places("Rockets hit the base near Hit on Monday.")] == ["hit"]
    assert kb.resolve_place("hit") is None
    assert kb.resolve_place("Hit").id == "hit"
    assert kb.find_places("a pinch of salt") == []
    assert [m[2] for m in kb.find_places("in Salt, Jordan")] == ["salt", "jordan"]
    assert not kb.place_match_ok("fallujah", "fallujah") and kb.place_match_ok("fallujah", "FALLUJAH")


@pytest.mark.parametrize("word", ["of", "Of", "man", "Bar", "bay", "Mercy", "May", "Monday", "the"])
def test_stop_words_are_never_places(kb: KnowledgeBase, word: str) -> None:
    assert kb.resolve_place(word, fuzzy=False) is None
    assert all(word.lower() not in (a.lower() for a in (p.name, *p.aliases)) for p in kb.places.values())


@pytest.mark.parametrize(
    ("pid", "country", "parent", "kind"),
    [
        ("anbar", "IQ", None, "province"),
        ("nineveh-governorate", "IQ", None, "province"),
        ("deir-ez-zor-governorate", "SY", None, "province"),
        ("eastern-province-sa", "SA", None, "province"),
        ("lamu-county", "KE", None, "province"),
        ("tillaberi-region", "NE", None, "province"),
        ("west-bank", "PS", None, "region"),
        ("gaza-strip", "PS", None, "region"),
        ("ramadi", "IQ", "anbar", "city"),
        ("fallujah", "IQ", "anbar", "city"),
        ("mosul", "IQ", "nineveh-governorate", "city"),
        ("tikrit", "IQ", "salahuddin", "city"),
        ("deir-ez-zor", "SY", "deir-ez-zor-governorate", "city"),
        ("sinjar", "IQ", "nineveh-governorate", "town"),
        ("qamishli", "SY", "hasakah-governorate", "city"),
        ("abqaiq", "SA", "eastern-province-sa", "town"),
        ("mukalla", "YE", "hadramawt-governorate", "city"),
        ("lamu", "KE", "lamu-county", "town"),
    ],
)
def test_provinces_and_parents(kb: KnowledgeBase, pid: str, country: str, parent: str | None, kind: str) -> None:
    entry = kb.places[pid]
    assert (entry.country, entry.parent, entry.kind) == (country, parent, kind)
    if parent:
        assert kb.places[parent].country == country


def test_generated_cities_get_provinces(kb: KnowledgeBase) -> None:
    cities = [p for p in kb.places.values() if p.kind == "city" and p.country == "IQ"]
    with_parent = [p for p in cities if p.parent]
    assert len(with_parent) > 0.9 * len(cities)


@pytest.mark.parametrize("iso2", THEATRE)
def test_theatre_country_has_places(kb: KnowledgeBase, iso2: str) -> None:
    places = [p for p in kb.places.values() if p.country == iso2 and p.kind != "country"]
    assert len(places) >= 8, iso2
    assert any(p.kind == "province" or p.kind == "region" for p in places)


def test_ids_keep_legacy_names(kb: KnowledgeBase) -> None:
    for pid in ("iraq", "iran", "syria", "anbar", "baghdad", "al-qaim", "abu-kamal", "jordan", "kenya", "united-arab-emirates"):
        assert pid in kb.places


def test_old_eight_column_gazetteer_still_loads(tmp_path: Path) -> None:
    (tmp_path / "gazetteer.csv").write_text(
        "id,name,aliases,country,lat,lon,kind,parent\n"
        "new-town,Newtownabad,Newtown|Nyutaun,IQ,33.1,44.1,city,anbar\n"
        "mosul,Mosul (overridden),Mawsil,IQ,36.3,43.1,city,\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    assert kb.resolve_place("Newtown").id == "new-town"
    assert kb.places["new-town"].parent == "anbar" and kb.places["new-town"].match == "any"
    assert kb.places["mosul"].name == "Mosul (overridden)" and kb.places["mosul"].parent is None
    assert kb.resolve_place("mawsil").id == "mosul"  # user entries match in any case


def test_parent_by_name_and_unknown_parent(tmp_path: Path) -> None:
    (tmp_path / "installations.csv").write_text(
        "id,name,aliases,country,lat,lon,kind,parent,note\nx-base,X Base,,IQ,33.0,43.0,site,Anbar,a test base\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    assert kb.places["x-base"].parent == "anbar" and kb.places["x-base"].note == "a test base"
    (tmp_path / "installations.csv").write_text(
        "id,name,aliases,country,lat,lon,kind,parent\nx-base,X Base,,IQ,33.0,43.0,site,Atlantis\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match=r"installations.csv: line 2: .*'Atlantis'"):
        KnowledgeBase.load(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,name,country,lat,lon,match\nx,X,IQ,33,44,sometimes\n", "match must be one of"),
        ("id,name,country,lat,lon\nx,X,QQ,33,44\n", "unknown country 'QQ'"),
    ],
)
def test_bad_place_rows_are_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "gazetteer.csv").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        KnowledgeBase.load(tmp_path)


def test_user_countries_override(tmp_path: Path) -> None:
    (tmp_path / "countries.csv").write_text(
        "iso2,iso3,numeric,fips,name,aliases,demonyms,place,lat,lon\nIQ,IRQ,368,IZ,Iraq,Mesopotamia,Iraqi|Iraqis|Mesopotamian,iraq,33.2,43.7\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    assert kb.demonyms["mesopotamian"] == "IQ"
    assert kb.resolve_place("Mesopotamia").id == "iraq"
