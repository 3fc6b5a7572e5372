"""Evidentiary standards: named probability thresholds a red-line rule can demand.

A rule says how sure one must be before its condition counts as met. It may
give a number (``standard: 0.6``) or name a standard from the table below,
borrowed from legal and intelligence practice. The numbers are conventions,
not laws of nature: they are stated here so that an analyst can see, and
argue with, exactly what "preponderance of the evidence" was taken to mean.
A standard is named by its threshold; its ICD 203 words are computed from
that threshold (:attr:`Standard.words`), never written by hand.

A rule file may add its own standards (or override these) in a top-level
``standards:`` mapping of name to threshold; see ``docs/redlines.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..icd203 import ICD203_SCALE, icd203_phrase


@dataclass(frozen=True)
class Standard:
    """A named evidentiary standard: ``P(condition) >= threshold`` satisfies it."""

    name: str
    threshold: float
    help: str

    @property
    def words(self) -> str:
        """The ICD 203 phrase the threshold falls in ("roughly even chance" for 0.5)."""
        return icd203_phrase(self.threshold)

    def describe(self) -> str:
        """``clear-and-convincing (P >= 0.75, likely)``: the name, the threshold and its ICD 203 words."""
        return f"{self.name} (P >= {self.threshold:.2f}, {self.words})"


#: The bundled standards, weakest first.
STANDARDS: tuple[Standard, ...] = (
    Standard("reasonable-suspicion", 0.30, "Specific facts point to it, short of it being more likely than not."),
    Standard("probable-cause", 0.40, "A fair probability on the facts known, short of a balance of probabilities."),
    Standard("preponderance", 0.50, "At least as likely as not: the balance of probabilities (civil standard)."),
    Standard("clear-and-convincing", 0.75, "Substantially more likely than not (taken here as P >= 0.75)."),
    Standard("beyond-reasonable-doubt", 0.95, "No reasonable doubt remains (criminal standard; taken here as P >= 0.95)."),
)

DEFAULT_STANDARDS: Mapping[str, Standard] = MappingProxyType({s.name: s for s in STANDARDS})


def standard_table(extra: Mapping[str, float] | None = None) -> dict[str, Standard]:
    """The bundled standards, extended or overridden by ``extra`` (name -> threshold)."""
    table = dict(DEFAULT_STANDARDS)
    for name, threshold in (extra or {}).items():
        table[name] = Standard(name, float(threshold), "Defined in the rule file.")
    return table


def icd203_table() -> tuple[tuple[str, float, float], ...]:
    """The ICD 203 probability words with their (lower, upper] ranges, for docs and reports."""
    return ICD203_SCALE


__all__ = ["DEFAULT_STANDARDS", "STANDARDS", "Standard", "icd203_table", "standard_table"]
