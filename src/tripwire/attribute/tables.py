"""The attribution engine's likelihood tables, read from ``knowledge/data/evidence.yaml``.

The bundled file is read with :mod:`importlib.resources`; a file of the same
name in the ``knowledge_dir`` setting's folder overrides it key by key
(nested mappings are merged). Values are validated here so that a bad table
fails with a :class:`~tripwire.errors.KnowledgeError` naming the key, not with
a numpy warning deep inside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import KnowledgeError
from ..knowledge.base import read_yaml_mapping

FILE = "evidence.yaml"


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _prob(raw: dict[str, Any], path: str, *, open_low: bool = False) -> float:
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KnowledgeError(f"evidence.yaml: missing key {path!r}")
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise KnowledgeError(f"evidence.yaml: {path} must be a number, got {node!r}")
    value = float(node)
    low_ok = value > 0.0 if open_low else value >= 0.0
    if not (low_ok and value <= 1.0):
        raise KnowledgeError(f"evidence.yaml: {path} must be a probability in {'(0' if open_low else '[0'}, 1], got {value!r}")
    return value


def _positive(raw: dict[str, Any], path: str) -> float:
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KnowledgeError(f"evidence.yaml: missing key {path!r}")
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, (int, float)) or float(node) <= 0:
        raise KnowledgeError(f"evidence.yaml: {path} must be a positive number, got {node!r}")
    return float(node)


@dataclass(frozen=True)
class EvidenceTables:
    """Validated likelihood tables: hedge strengths, statement models, timing and pattern kernels."""

    raw: dict[str, Any]

    @classmethod
    def load(cls, knowledge_dir: str | Path | None = None) -> "EvidenceTables":
        """The bundled tables, overridden by ``knowledge_dir/evidence.yaml`` when that exists."""
        return _load(str(knowledge_dir) if knowledge_dir else "")

    # -- typed accessors (validated in __post_init__) ------------------------

    def __post_init__(self) -> None:
        r = self.raw
        for grade in "ABCDEF":
            _prob(r, f"relay.{grade}")
        for level in range(1, 7):
            if level not in r.get("credibility", {}):
                raise KnowledgeError(f"evidence.yaml: credibility.{level} is missing")
            _prob({"c": r["credibility"][level]}, "c")
        if "default" not in r.get("hedges", {}):
            raise KnowledgeError("evidence.yaml: hedges.default is missing")
        for word in r["hedges"]:
            _prob(r["hedges"], str(word))
        for name in ("anonymous", "self_interest", "transmission_match"):
            _prob(r, name)
        for actor in r["statements"]["claimed"]:
            _prob(r, f"statements.claimed.{actor}.if_true", open_low=True)
            _prob(r, f"statements.claimed.{actor}.if_false", open_low=True)
        for key in ("routine", "other"):
            _prob(r, f"statements.denied.{key}.if_true", open_low=True)
            _prob(r, f"statements.denied.{key}.if_false", open_low=True)
        _prob(r, "statements.disputed.if_true", open_low=True)
        _prob(r, "statements.disputed.if_false", open_low=True)
        for path in ("timing.window_days", "timing.peak_lr", "timing.decay_days", "pattern.distance_km", "pattern.days",
                     "uncertainty.reliability", "uncertainty.label_rate", "uncertainty.prior"):
            _positive(r, path)
        for path in ("pattern.same_weapon", "pattern.other_weapon", "pattern.unknown_weapon", "pattern.no_place",
                     "pattern.linkage", "pattern.min_similarity", "priors.unlisted_perpetrator", "priors.relation_floor"):
            _prob(r, path)

    def hedge(self, word: str) -> float:
        """Fraction of a statement's force that survives the hedge ``word``."""
        hedges = self.raw["hedges"]
        w = " ".join(word.lower().split())
        if w in hedges:
            return float(hedges[w])
        for key, value in hedges.items():
            if key != "default" and str(key) in w:
                return float(value)
        return float(hedges["default"])

    def credibility(self, level: int) -> float:
        """Discount for Admiralty credibility ``level`` (1-6)."""
        return float(self.raw["credibility"][int(level)])

    def relay(self, grade: str) -> float:
        """Discount for a speaker's words relayed by an outlet of Admiralty ``grade``."""
        return float(self.raw["relay"][grade])

    def claim_rates(self, perpetrator: str) -> tuple[float, float]:
        """(P(claim | perpetrator did it), P(claim | someone else did))."""
        table = self.raw["statements"]["claimed"]
        row = table.get(perpetrator, table["default"])
        return float(row["if_true"]), float(row["if_false"])

    def denial_rates(self, routine: bool) -> tuple[float, float]:
        """(P(denial | responsible), P(denial | not responsible))."""
        row = self.raw["statements"]["denied"]["routine" if routine else "other"]
        return float(row["if_true"]), float(row["if_false"])

    @property
    def denial_min_relation(self) -> str:
        """Lowest relation level a sponsor's denial speaks to."""
        return str(self.raw["statements"]["denied"].get("min_relation", "coordinated"))

    def dispute_rates(self) -> tuple[float, float]:
        """(P("no proof X did it" | X did), P(same | X did not))."""
        row = self.raw["statements"]["disputed"]
        return float(row["if_true"]), float(row["if_false"])

    def get(self, section: str, key: str) -> Any:
        """A raw value, e.g. ``get("timing", "window_days")``."""
        return self.raw[section][key]

    def number(self, name: str) -> float:
        """A top-level number (``anonymous``, ``self_interest``, ``transmission_match``)."""
        return float(self.raw[name])


@lru_cache(maxsize=8)
def _load(knowledge_dir: str) -> EvidenceTables:
    pkg = resources.files("tripwire.knowledge") / "data" / FILE
    raw = read_yaml_mapping(f"bundled {FILE}", pkg.read_text(encoding="utf-8"))
    if knowledge_dir:
        path = Path(knowledge_dir) / FILE
        if path.exists():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise KnowledgeError(f"cannot read knowledge file {path}: {exc}") from exc
            raw = _merge(raw, read_yaml_mapping(str(path), text))
    try:
        return EvidenceTables(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeError(f"evidence.yaml is malformed: {exc}") from exc
