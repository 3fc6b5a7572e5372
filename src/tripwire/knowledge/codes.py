"""One look-up for every country-code system: ISO 3166 (alpha-2, alpha-3, numeric), FIPS 10-4, Gleditsch-Ward, names.

Built from three sources, strongest last so that it wins:

1. ``pycountry`` (the maintained ISO 3166-1 tables): every alpha-2, alpha-3
   and numeric code, and the short, official and common names;
2. ``knowledge/data/country_codes.csv``: the systems neither of the others
   covers, Gleditsch-Ward state numbers (``gw``: UCDP GED ``country_id`` and
   ``gwnoa``, legacy ACLED ``GWNO``) and the FIPS codes of territories
   (``fips``: GDELT's ``GZ`` Gaza, ``JN`` Jan Mayen);
3. the knowledge base's ``countries.csv`` (:attr:`KnowledgeBase.countries`,
   including a user's ``knowledge_dir`` overrides): one FIPS 10-4 code per
   country and the aliases news and datasets use ("Iran (Islamic Republic
   of)", "UAE"), plus codes ISO has not assigned (Kosovo ``XK``).

Codes are looked up in a named system because the systems collide: ``NI`` is
Nicaragua in ISO and Nigeria in FIPS, ``204`` is Benin as ISO numeric and
nothing in Gleditsch-Ward, ``645`` Iraq only in Gleditsch-Ward. Every answer
is an ISO 3166-1 alpha-2 code or None; nothing is guessed across systems.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from importlib import resources
from typing import TYPE_CHECKING

from .places import norm

if TYPE_CHECKING:
    from .places import Country

#: The systems :meth:`CountryCodes.iso2` reads.
SYSTEMS = ("iso", "iso2", "iso3", "numeric", "fips", "gw", "name")


def _name_key(text: str) -> str:
    key = norm(text)
    return key[4:] if key.startswith("the ") else key


class CountryCodes:
    """Country codes of every system to ISO 3166-1 alpha-2 (see the module docstring)."""

    def __init__(self, countries: Iterable[Country] = (), extra_csv: str | None = None) -> None:
        self._codes: dict[str, dict[str, str]] = {s: {} for s in ("iso2", "iso3", "numeric", "fips", "gw", "name")}
        self.names: dict[str, str] = {}
        self._add_pycountry()
        self._add_extra(extra_csv if extra_csv is not None else _bundled_extra())
        for country in countries:
            self._add_country(country)
        self._memo: dict[tuple[str, str], str | None] = {}

    # -- building ------------------------------------------------------------

    def _add(self, system: str, code: str, iso2: str) -> None:
        if code:
            self._codes[system][code] = iso2

    def _add_names(self, iso2: str, names: Iterable[str | None]) -> None:
        for name in names:
            if name and name.strip():
                self._add("name", _name_key(name), iso2)

    def _add_pycountry(self) -> None:
        import pycountry

        for c in pycountry.countries:
            iso2 = c.alpha_2
            self._add("iso2", iso2, iso2)
            self._add("iso3", c.alpha_3, iso2)
            self._add("numeric", str(int(c.numeric)), iso2)
            self._add_names(iso2, (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)))
            self.names[iso2] = getattr(c, "common_name", None) or c.name

    def _add_extra(self, text: str) -> None:
        rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#"))))
        for row in rows:
            system, code, iso2 = row["system"].strip(), row["code"].strip().upper(), row["iso2"].strip().upper()
            self._add(system, str(int(code)) if system == "gw" else code, iso2)

    def _add_country(self, country: Country) -> None:
        iso2 = country.iso2.upper()
        self._add("iso2", iso2, iso2)
        self._add("iso3", country.iso3.upper(), iso2)
        if country.numeric and int(country.numeric):
            self._add("numeric", str(int(country.numeric)), iso2)
        if country.fips:
            self._add("fips", country.fips.upper(), iso2)
        self._add_names(iso2, (country.name, *country.aliases))
        self.names[iso2] = country.name

    # -- looking up ------------------------------------------------------------

    def iso2(self, value: object, system: str = "iso") -> str | None:
        """The ISO alpha-2 code ``value`` denotes in ``system``, else None.

        ``system`` is one of :data:`SYSTEMS`: ``iso`` reads alpha-2, alpha-3,
        numeric (digits, leading zeros optional, ``"368.0"`` as pandas writes
        it) or a name; ``fips`` and ``gw`` read only their own codes; ``name``
        only names, trying a bracketed qualifier's removal last ("Yemen (North
        Yemen)" -> Yemen).
        """
        if system not in SYSTEMS:
            raise ValueError(f"unknown country-code system {system!r}; choose one of {', '.join(SYSTEMS)}")
        if value is None:
            return None
        text = " ".join(str(value).split())
        if not text:
            return None
        key = (system, text)
        if key not in self._memo:
            if len(self._memo) > 100_000:
                self._memo.clear()
            self._memo[key] = self._lookup(text, system)
        return self._memo[key]

    def _lookup(self, text: str, system: str) -> str | None:
        codes = self._codes
        if system in ("numeric", "gw") or (system == "iso" and _is_number(text)):
            number = _number(text)
            return codes["gw" if system == "gw" else "numeric"].get(number) if number is not None else None
        if system in ("iso2", "iso3", "fips"):
            return codes[system].get(text.upper())
        if system == "iso":
            upper = text.upper()
            if len(upper) == 2 and upper in codes["iso2"]:
                return codes["iso2"][upper]
            if len(upper) == 3 and upper in codes["iso3"]:
                return codes["iso3"][upper]
        return self._by_name(text)

    def _by_name(self, text: str) -> str | None:
        names = self._codes["name"]
        hit = names.get(_name_key(text))
        if hit is None and "(" in text:
            hit = names.get(_name_key(text.split("(", 1)[0]))
        if hit is None and "," in text:  # "Korea, Republic of" style
            head, tail = text.split(",", 1)
            hit = names.get(_name_key(f"{tail} {head}"))
        return hit

    def from_fips(self, code: object) -> str | None:
        """The alpha-2 code of a FIPS 10-4 country code (GDELT: ``IZ`` Iraq, ``NI`` Nigeria), else None."""
        return self.iso2(code, "fips")

    def from_gw(self, code: object) -> str | None:
        """The alpha-2 code of a Gleditsch-Ward state number (UCDP: ``645`` Iraq), else None."""
        return self.iso2(code, "gw")

    def name(self, iso2: str) -> str | None:
        """The country's name for an alpha-2 code, else None."""
        return self.names.get(iso2.upper())


def _is_number(text: str) -> bool:
    return _number(text) is not None


def _number(text: str) -> str | None:
    """``"004"``, ``"4"`` and ``"4.0"`` -> ``"4"``; None when not a whole number."""
    if text.isdigit():
        return str(int(text))
    head, dot, tail = text.partition(".")
    if dot and head.isdigit() and tail and set(tail) == {"0"}:
        return str(int(head))
    return None


def _bundled_extra() -> str:
    return (resources.files("tripwire.knowledge") / "data" / "country_codes.csv").read_text(encoding="utf-8")
