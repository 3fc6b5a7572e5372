"""The one country-code look-up: ISO 3166 (pycountry), FIPS 10-4, Gleditsch-Ward and names, each in its own system."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pycountry
import pytest

from tripwire.knowledge import KnowledgeBase
from tripwire.knowledge.codes import SYSTEMS, CountryCodes


@pytest.fixture(scope="module")
def codes(kb: KnowledgeBase) -> CountryCodes:
    return kb.country_codes


# value, system, ISO alpha-2 (None: not a code of that system)
CASES = [
    ("IQ", "iso", "IQ"), ("IRQ", "iso", "IQ"), ("368", "iso", "IQ"), ("368", "numeric", "IQ"), ("368.0", "numeric", "IQ"),
    ("204", "numeric", "BJ"), ("204", "gw", None), ("434", "gw", "BJ"), ("645", "gw", "IQ"), ("645.0", "gw", "IQ"), ("4", "numeric", "AF"),
    ("004", "iso", "AF"), ("700", "gw", "AF"), ("2", "gw", "US"), ("365", "gw", "RU"), ("345", "gw", "RS"), ("678", "gw", "YE"), ("680", "gw", "YE"),
    ("260", "gw", "DE"), ("347", "gw", "XK"), ("626", "gw", "SS"), ("999", "gw", None),
    # FIPS and ISO collide: each answers only in its own system
    ("NI", "fips", "NG"), ("NI", "iso", "NI"), ("RS", "fips", "RU"), ("RS", "iso", "RS"), ("SP", "fips", "ES"), ("IZ", "fips", "IQ"),
    ("IZ", "iso", None), ("UK", "fips", "GB"), ("GZ", "fips", "PS"), ("WE", "fips", "PS"), ("KV", "fips", "XK"), ("OD", "fips", "SS"),
    ("JN", "fips", "SJ"), ("AY", "fips", "AQ"), ("XX", "fips", None),
    ("XK", "iso", "XK"), ("XKX", "iso3", "XK"), ("AQ", "iso2", "AQ"), ("ATA", "iso3", "AQ"),
    # names: pycountry's short, official and common names, the knowledge base's aliases, a bracketed qualifier dropped last
    ("Benin", "name", "BJ"), ("Iran (Islamic Republic of)", "name", "IR"), ("Iran, Islamic Republic of", "name", "IR"), ("Yemen (North Yemen)", "name", "YE"),
    ("Russia (Soviet Union)", "name", "RU"), ("Korea, Republic of", "name", "KR"), ("Türkiye", "name", "TR"), ("the United Arab Emirates", "name", "AE"),
    ("Bolivia, Plurinational State of", "name", "BO"), ("Republic of Iraq", "name", "IQ"), ("Atlantis", "name", None), ("Sahel", "name", None),
    ("Benin", "iso", "BJ"), ("", "iso", None), (None, "gw", None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "system", "iso2"), CASES)
def test_codes_resolve_in_their_own_system(codes: CountryCodes, value: str | None, system: str, iso2: str | None) -> None:
    assert codes.iso2(value, system) == iso2


def test_unknown_system_is_refused(codes: CountryCodes) -> None:
    with pytest.raises(ValueError, match="choose one of"):
        codes.iso2("IQ", "cow")
    assert set(SYSTEMS) >= {"iso", "fips", "gw", "name"}


def test_every_iso_country_resolves_by_every_iso_code(codes: CountryCodes) -> None:
    for c in pycountry.countries:
        assert codes.iso2(c.alpha_2) == codes.iso2(c.alpha_3) == codes.iso2(c.numeric) == codes.iso2(c.name, "name") == c.alpha_2


def test_every_fips_code_of_the_knowledge_base_resolves(kb: KnowledgeBase, codes: CountryCodes) -> None:
    fips = {c.fips: c.iso2 for c in kb.countries.values() if c.fips}
    assert len(fips) > 240
    assert {code: codes.from_fips(code) for code in fips} == fips


def test_every_gleditsch_ward_row_names_a_known_country(kb: KnowledgeBase, codes: CountryCodes) -> None:
    text = (resources.files("tripwire.knowledge") / "data" / "country_codes.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#")))))
    gw = [r for r in rows if r["system"] == "gw"]
    assert len(gw) >= 190 and len({r["code"] for r in gw}) == len(gw), "a Gleditsch-Ward number is listed twice"
    for row in rows:
        assert row["iso2"] in kb.countries or pycountry.countries.get(alpha_2=row["iso2"]) is not None, row
        assert codes.iso2(row["code"], row["system"]) == row["iso2"]


def test_knowledge_base_country_by_code_uses_the_same_look_up(kb: KnowledgeBase) -> None:
    assert kb.country_by_code("IZ").iso2 == "IQ"  # FIPS only where no country has the code as ISO-2
    assert kb.country_by_code("NI").iso2 == "NI"
    assert kb.country_by_code(368).iso2 == "IQ" and kb.country_by_code("Benin").iso2 == "BJ"


def test_user_countries_extend_the_look_up() -> None:
    from tripwire.knowledge.places import Country

    extra = Country(iso2="XZ", iso3="XZZ", numeric="", fips="ZZ", name="Zedland", aliases=("Republic of Zed",))
    codes = CountryCodes([extra])
    assert codes.from_fips("ZZ") == codes.iso2("Republic of Zed", "name") == codes.iso2("XZZ") == "XZ"
