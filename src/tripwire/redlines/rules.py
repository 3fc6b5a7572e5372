"""Red-line rules: the :class:`RedLineRule` model and the YAML rule-file loader.

A rule file is YAML with a ``rules:`` list and, optionally, ``standards:``
(extra named thresholds) and ``defaults:`` (``reporting_confidence``,
``watch_fraction``, ``watch_floor`` applied to every rule that gives none).
Every problem -- bad YAML, a wrong type, an unknown actor, relation level or
standard, a duplicate id -- raises :class:`~tripwire.errors.RuleError` naming
the file, the rule id and the field. ``docs/redlines.md`` documents the
language; ``tripwire/examples/redlines.yaml`` is the bundled example.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator

from ..errors import RuleError
from ..knowledge import KnowledgeBase
from ..model import Frozen, Id
from ..yamlfiles import load_yaml
from .conditions import LEAVES, AllOf, AnyOf, Condition, NotOf, describe
from .standards import standard_table

#: Assumed probability that a reported casualty fact is true, when a rule file says nothing.
DEFAULT_REPORTING_CONFIDENCE = 0.95
#: Lower for counts the text itself hedges ("at least", "reportedly").
DEFAULT_APPROXIMATE_CONFIDENCE = 0.85
#: An attribution-only open question is on watch once P(condition) reaches this floor.
DEFAULT_WATCH_FLOOR = 0.10

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_RULE_KEYS = {
    "id", "title", "description", "declared_by", "declared_on", "consequence", "condition", "standard",
    "threshold", "watch_fraction", "watch_floor", "reporting_confidence", "approximate_confidence", "sources",
}
_DEFAULT_KEYS = {"reporting_confidence", "approximate_confidence", "watch_fraction", "watch_floor"}


class Declaration(Frozen):
    """Who declared the red line, through which outlet, and whether it came via an unnamed relay."""

    speaker: str
    speaker_id: str | None = None
    role: str | None = None
    outlet: str | None = None
    anonymous_relay: bool = False


class RedLineRule(Frozen):
    """One declared red line, made checkable.

    ``condition`` is a tree of leaves and combinators (see
    :mod:`tripwire.redlines.conditions`); ``standard``/``threshold`` say how
    probable the condition must be to count as met; ``watch_fraction``,
    ``watch_floor`` and ``reporting_confidence`` tune the status rules (None:
    the setting or bundled default applies).
    """

    id: Id
    title: str
    description: str | None = None
    declared_by: Declaration
    declared_on: dt.date | None = None
    consequence: str
    condition: Condition
    standard: str
    threshold: float = Field(gt=0, le=1)
    watch_fraction: float | None = Field(default=None, gt=0, le=1)
    watch_floor: float = Field(default=DEFAULT_WATCH_FLOOR, ge=0, le=1)
    reporting_confidence: float = Field(default=DEFAULT_REPORTING_CONFIDENCE, gt=0, le=1)
    approximate_confidence: float = Field(default=DEFAULT_APPROXIMATE_CONFIDENCE, gt=0, le=1)
    sources: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"rule id {v!r} must be a lower-case slug (letters, digits, dashes)")
        return v

    def describe_condition(self) -> str:
        """The condition in one line of plain words."""
        return describe(self.condition)


def _fail(origin: str, rule_id: str | None, field: str | None, message: str) -> RuleError:
    where = origin
    if rule_id:
        where += f": rule {rule_id!r}"
    if field:
        where += f": field {field}"
    return RuleError(f"{where}: {message}", detail={"file": origin, "rule": rule_id, "field": field})


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_condition(raw: Any, *, kb: KnowledgeBase, origin: str, rule_id: str, path: str = "condition") -> Condition:
    """Build a condition tree from its YAML form, raising :class:`RuleError` with the field path."""
    if not isinstance(raw, dict) or len(raw) != 1:
        kinds = ", ".join(["all", "any", "not", *LEAVES])
        raise _fail(origin, rule_id, path, f"must be a mapping with exactly one key, one of: {kinds}")
    ((key, body),) = raw.items()
    here = f"{path}.{key}"
    if key in ("all", "any"):
        if not isinstance(body, list) or not body:
            raise _fail(origin, rule_id, here, "must be a non-empty list of conditions")
        children = tuple(parse_condition(c, kb=kb, origin=origin, rule_id=rule_id, path=f"{here}[{i}]") for i, c in enumerate(body))
        # the children are validated already; their validators run again inside the union, so they get the same knowledge base
        combinator = AllOf if key == "all" else AnyOf
        return combinator.model_validate({key: children}, context={"kb": kb})  # type: ignore[return-value]
    if key == "not":
        return NotOf.model_validate({"not": parse_condition(body, kb=kb, origin=origin, rule_id=rule_id, path=here)}, context={"kb": kb})
    model = LEAVES.get(str(key))
    if model is None:
        raise _fail(origin, rule_id, path, f"unknown condition {key!r}; use all, any, not, {', '.join(LEAVES)}")
    if not isinstance(body, dict):
        raise _fail(origin, rule_id, here, "must be a mapping of fields")
    try:
        return model.model_validate(body, context={"kb": kb})  # type: ignore[return-value]
    except ValidationError as exc:
        err = exc.errors()[0]
        sub = _loc(tuple(err["loc"]))
        msg = str(err["msg"]).removeprefix("Value error, ")
        named = re.match(r"^(\w+): ", msg)
        if not sub and named and named.group(1) in model.model_fields:  # model-level check naming its field
            sub, msg = named.group(1), msg[named.end() :]
        raise _fail(origin, rule_id, f"{here}.{sub}" if sub else here, msg) from None


def parse_rule(raw: Any, *, kb: KnowledgeBase, origin: str, index: int, standards: dict[str, Any], defaults: dict[str, Any]) -> RedLineRule:
    """Validate one rule mapping from a rule file."""
    if not isinstance(raw, dict):
        raise _fail(origin, f"#{index}", None, "each rule must be a mapping")
    rule_id = raw.get("id")
    label = str(rule_id) if rule_id else f"#{index}"
    unknown = sorted(set(map(str, raw)) - _RULE_KEYS)
    if unknown:
        raise _fail(origin, label, unknown[0], f"unknown field; known fields: {', '.join(sorted(_RULE_KEYS))}")
    if "condition" not in raw:
        raise _fail(origin, label, "condition", "missing")
    condition = parse_condition(raw["condition"], kb=kb, origin=origin, rule_id=label)
    data = {k: v for k, v in raw.items() if k not in ("condition", "standard", "threshold")}
    for key, value in defaults.items():
        data.setdefault(key, value)
    std, thr = raw.get("standard"), raw.get("threshold")
    if std is not None and thr is not None:
        raise _fail(origin, label, "threshold", "give a standard or a threshold, not both")
    if thr is None and isinstance(std, (int, float)) and not isinstance(std, bool):
        std, thr = None, std
    if thr is not None:
        if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 0 < thr <= 1:
            raise _fail(origin, label, "threshold", f"must be a number in (0, 1], got {thr!r}")
        data.update(standard=f"p>={float(thr):g}", threshold=float(thr))
    elif std is None:
        raise _fail(origin, label, "standard", "missing: name a standard (e.g. preponderance) or give a threshold")
    elif str(std) not in standards:
        raise _fail(origin, label, "standard", f"unknown standard {std!r}; known: {', '.join(standards)}")
    else:
        data.update(standard=str(std), threshold=standards[str(std)].threshold)
    if isinstance(data.get("declared_by"), dict):
        sid = data["declared_by"].get("speaker_id")
        if sid is not None and sid not in kb.speakers:
            raise _fail(origin, label, "declared_by.speaker_id", f"unknown speaker {sid!r} (not in the knowledge base)")
    try:
        return RedLineRule.model_validate({**data, "condition": condition}, context={"kb": kb})
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise _fail(origin, label, _loc(tuple(err["loc"])) or None, msg) from None


def parse_rules(text: str, *, kb: KnowledgeBase, origin: str = "<rules>") -> list[RedLineRule]:
    """Rules from the text of a rule file (``origin`` names it in errors), validated against ``kb``."""
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise _fail(origin, None, None, f"is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except ValueError as exc:  # PyYAML builds dates itself and fails on impossible ones (2020-02-30)
        raise _fail(origin, None, None, f"is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise _fail(origin, None, "rules", "a rule file must be a mapping with a 'rules:' list")
    unknown = sorted(set(map(str, doc)) - {"rules", "standards", "defaults"})
    if unknown:
        raise _fail(origin, None, unknown[0], "unknown top-level key; use rules, standards, defaults")
    extra = doc.get("standards") or {}
    if not isinstance(extra, dict):
        raise _fail(origin, None, "standards", "must map standard names to thresholds")
    for name, value in extra.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise _fail(origin, None, f"standards.{name}", f"threshold must be a number in (0, 1], got {value!r}")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict) or set(map(str, defaults)) - _DEFAULT_KEYS:
        raise _fail(origin, None, "defaults", f"may only set {', '.join(sorted(_DEFAULT_KEYS))}")
    standards = standard_table({str(k): float(v) for k, v in extra.items()})
    rules: list[RedLineRule] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc["rules"]):
        rule = parse_rule(raw, kb=kb, origin=origin, index=i, standards=standards, defaults=dict(defaults))
        if rule.id in seen:
            raise _fail(origin, rule.id, "id", "duplicate rule id")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def bundled_rules_path() -> Path:
    """Where the bundled example rule file lives."""
    return Path(str(resources.files("tripwire") / "examples" / "redlines.yaml"))


def load_rules(path: str | Path | None = None, *, kb: KnowledgeBase) -> list[RedLineRule]:
    """Load a rule file and validate it against ``kb``; ``None`` loads the bundled ``examples/redlines.yaml``."""
    p = Path(path) if path is not None else bundled_rules_path()
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(p), None, None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_rules(text, origin=str(p), kb=kb)


__all__ = [
    "DEFAULT_APPROXIMATE_CONFIDENCE",
    "DEFAULT_REPORTING_CONFIDENCE",
    "DEFAULT_WATCH_FLOOR",
    "Declaration",
    "RedLineRule",
    "bundled_rules_path",
    "load_rules",
    "parse_condition",
    "parse_rules",
]
