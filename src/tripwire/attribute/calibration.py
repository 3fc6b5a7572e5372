"""Calibration harness: score the attribution engine against incidents whose authors were later established.

:func:`evaluate` runs an attributor over resolved cases and scores its
posteriors with proper scoring rules, side by side with a *baseline* that
uses the engine's own prior alone (the ``prior`` of each posterior entry, i.e.
what it would say before reading any evidence), so the report shows what the
evidence bought:

* **perpetrator** (multi-class): the posterior is summed into perpetrator
  *groups* (state organs count as their state, front names as the group they
  front for and, by default, named Iran-aligned militias as the
  ``iran-aligned-militia`` category, because public resolutions rarely
  separate them); multi-class Brier score ``sum_k (p_k - o_k)^2`` (0 best,
  2 worst) and logarithmic score ``-ln p(true group)`` (0 best);
* **red line** (binary): the event "tied to instructions from Iran" (sponsor
  ``iran`` at relation ``ordered`` or ``executed``, or Iran's own forces);
  Brier ``(p - y)^2`` and log score. Cases whose resolution names Iran as
  sponsor without establishing the relation are left out of this score;
* reliability diagram (binned predicted probability against observed
  frequency, with counts) and expected calibration error for both, written as
  a PNG (matplotlib, Agg canvas, no display) and a self-contained HTML page.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import ValidationError

from ..errors import AttributionError, InputError, ParseError
from ..model import AttributionResult, Frozen, Hypothesis, Incident

if TYPE_CHECKING:  # pragma: no cover - typing only
    from rich.table import Table

    from ..knowledge import KnowledgeBase
    from ..settings import Settings

#: Probabilities are clipped to [EPS, 1 - EPS] in the logarithmic score, so one
#: confident miss costs at most -ln(EPS) = 13.8 nats instead of infinity.
EPS = 1e-6

CERTAINTY_ORDER = {"low": 0, "medium": 1, "high": 2}


class ResolvedOutcome(Frozen):
    """Who was later established to be behind an incident, how, and on whose word.

    ``relation`` is a level from ``relations.yaml`` or None when the
    resolution does not establish it (e.g. "Iran-backed" without saying
    whether Iran ordered the attack). ``certainty`` says how firmly the
    resolution stands: ``high`` (open claim by the perpetrator, accepted by
    all), ``medium`` (official attribution plus corroboration), ``low``
    (official attribution still disputed).
    """

    perpetrator: str
    sponsor: str | None = None
    relation: str | None = None
    resolution_source: str
    resolved_on: dt.date
    certainty: Literal["high", "medium", "low"] = "medium"


class ResolvedCase(Frozen):
    """One scored case: the incident as reported at the time, and its resolution."""

    id: str
    incident: Incident
    outcome: ResolvedOutcome
    notes: str | None = None


class SupportsAttribute(Protocol):
    """Anything with the engine's ``attribute(incident) -> AttributionResult`` method."""

    def attribute(self, incident: Incident) -> AttributionResult: ...  # pragma: no cover - protocol


AttributorLike = SupportsAttribute | Callable[[Incident], AttributionResult]


@dataclass(frozen=True)
class ScoreSet:
    """Proper scores of one forecaster on one question: mean Brier, mean log score, ECE, cases."""

    brier: float
    log_score: float
    ece: float
    n: int


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: predictions in [lo, hi), their mean and the observed frequency."""

    lo: float
    hi: float
    count: int
    mean_predicted: float | None
    observed: float | None


@dataclass(frozen=True)
class CaseScore:
    """Per-case detail: probability each forecaster gave the true group and the red-line event."""

    case_id: str
    true_group: str
    p_true: float
    p_true_baseline: float
    top_group: str
    red_line_true: bool | None
    p_red_line: float
    p_red_line_baseline: float
    certainty: str


@dataclass(frozen=True)
class CalibrationReport:
    """Scores of the engine and of the prior-only baseline on a set of resolved cases."""

    cases: tuple[CaseScore, ...]
    perpetrator: dict[str, ScoreSet]
    red_line: dict[str, ScoreSet]
    bins: dict[str, dict[str, tuple[ReliabilityBin, ...]]]
    skipped: tuple[tuple[str, str], ...] = ()
    event: str = "sponsor iran, relation ordered/executed"
    outputs: tuple[str, ...] = field(default=())

    def skill(self, question: str = "perpetrator") -> float | None:
        """Brier skill score against the baseline: 1 - Brier(engine)/Brier(baseline); >0 means the evidence helped."""
        scores = self.perpetrator if question == "perpetrator" else self.red_line
        base = scores["baseline"].brier
        if scores["engine"].n == 0 or base == 0 or math.isnan(base):
            return None
        return 1.0 - scores["engine"].brier / base


# ---------------------------------------------------------------------------
# Loading cases
# ---------------------------------------------------------------------------


def load_cases(path: str | Path, *, max_bytes: int = 20_000_000) -> list[ResolvedCase]:
    """Read a cases file: a JSON list of ``{"id", "incident", "outcome", "notes"}`` objects."""
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            from ..errors import DocumentTooLarge

            raise DocumentTooLarge(f"{path} is larger than {max_bytes} bytes")
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read cases file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(f"cases file {path} is not UTF-8 text") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ParseError(f"cases file {path} is not valid JSON: {exc}") from exc
    return parse_cases(data, origin=str(path))


def parse_cases(data: object, *, origin: str = "cases") -> list[ResolvedCase]:
    """Validate already-decoded case data (a list of case objects)."""
    if isinstance(data, dict) and "cases" in data:
        data = data["cases"]
    if not isinstance(data, list):
        raise ParseError(f"{origin}: expected a JSON list of cases")
    out: list[ResolvedCase] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise ParseError(f"{origin}: case {i} is not an object")
        item = dict(item)
        if "id" not in item and isinstance(item.get("incident"), dict):
            item["id"] = item["incident"].get("id", f"case-{i}")
        try:
            case = ResolvedCase.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ParseError(f"{origin}: case {i} ({item.get('id')!r}): {where}: {first['msg']}") from exc
        if case.id in seen:
            raise ParseError(f"{origin}: case id {case.id!r} appears twice")
        seen.add(case.id)
        out.append(case)
    return out


# ---------------------------------------------------------------------------
# Grouping hypotheses
# ---------------------------------------------------------------------------


def perpetrator_group(actor_id: str, kb: "KnowledgeBase", *, grouping: str = "coarse") -> str:
    """The scoring class of an actor: organ -> state, front -> fronted group, (coarse) member -> category."""
    seen: set[str] = set()
    current = actor_id
    while current not in seen:
        seen.add(current)
        actor = kb.actors.get(current)
        if actor is None:
            return current
        if actor.part_of:
            current = actor.part_of
        elif actor.front_for:
            current = actor.front_for
        else:
            break
    if grouping == "coarse":
        for candidate in kb.actors.values():
            if candidate.kind == "category" and current in candidate.members:
                return candidate.id
    return current


def _state_of(actor_id: str | None, kb: "KnowledgeBase") -> str | None:
    seen: set[str] = set()
    current = actor_id
    while current is not None and current not in seen:
        seen.add(current)
        actor = kb.actors.get(current)
        if actor is None:
            return None
        if actor.kind == "state":
            return actor.id
        current = actor.part_of
    return None


def _in_event(h: Hypothesis, kb: "KnowledgeBase", sponsor: str, relations: frozenset[str]) -> bool:
    return (h.sponsor == sponsor and h.relation in relations) or _state_of(h.perpetrator, kb) == sponsor


def red_line_truth(outcome: ResolvedOutcome, kb: "KnowledgeBase", *, sponsor: str = "iran", relations: frozenset[str] = frozenset({"ordered", "executed"})) -> bool | None:
    """Whether the resolved outcome is the red-line event; None when the resolution leaves it open."""
    if _state_of(outcome.perpetrator, kb) == sponsor:
        return True
    if outcome.sponsor == sponsor:
        if outcome.relation is None:
            return None
        return outcome.relation in relations
    return False


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def _call(attributor: AttributorLike, incident: Incident) -> AttributionResult:
    method = getattr(attributor, "attribute", None)
    return method(incident) if method is not None else attributor(incident)  # type: ignore[operator]


def _distributions(result: AttributionResult, kb: "KnowledgeBase", grouping: str) -> tuple[dict[str, float], dict[str, float]]:
    post: dict[str, float] = {}
    prior: dict[str, float] = {}
    for entry in result.posterior:
        g = perpetrator_group(entry.hypothesis.perpetrator, kb, grouping=grouping)
        post[g] = post.get(g, 0.0) + entry.probability
        prior[g] = prior.get(g, 0.0) + entry.prior
    return _normalised(post), _normalised(prior)


def _normalised(dist: Mapping[str, float]) -> dict[str, float]:
    total = sum(dist.values())
    if total <= 0:
        raise AttributionError("the attributor returned a posterior (or prior) with no mass")
    return {k: v / total for k, v in dist.items()}


def _log(p: float) -> float:
    return -math.log(min(max(p, EPS), 1.0 - EPS))


def reliability_bins(pairs: Sequence[tuple[float, float]], n_bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """Equal-width bins over [0, 1] of (predicted, outcome) pairs; the last bin includes 1.0."""
    if n_bins < 1:
        raise InputError("n_bins must be at least 1")
    sums = [[0, 0.0, 0.0] for _ in range(n_bins)]
    for p, y in pairs:
        k = min(int(p * n_bins), n_bins - 1)
        sums[k][0] += 1
        sums[k][1] += p
        sums[k][2] += y
    out = []
    for k, (count, sp, sy) in enumerate(sums):
        out.append(ReliabilityBin(k / n_bins, (k + 1) / n_bins, int(count), sp / count if count else None, sy / count if count else None))
    return tuple(out)


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    """ECE: count-weighted mean of |mean predicted - observed frequency| over the bins."""
    total = sum(b.count for b in bins)
    if total == 0:
        return float("nan")
    return sum(b.count * abs(b.mean_predicted - b.observed) for b in bins if b.count) / total  # type: ignore[operator]


def _scores(briers: list[float], logs: list[float], bins: Sequence[ReliabilityBin]) -> ScoreSet:
    n = len(briers)
    if n == 0:
        return ScoreSet(float("nan"), float("nan"), float("nan"), 0)
    return ScoreSet(sum(briers) / n, sum(logs) / n, expected_calibration_error(bins), n)


def evaluate(
    cases: Sequence[ResolvedCase],
    attributor: AttributorLike | None = None,
    *,
    kb: "KnowledgeBase",
    settings: "Settings | None" = None,
    n_bins: int = 10,
    grouping: Literal["coarse", "actor"] = "coarse",
    min_certainty: Literal["high", "medium", "low"] = "low",
    sponsor: str = "iran",
    relations: frozenset[str] = frozenset({"ordered", "executed"}),
) -> CalibrationReport:
    """Score ``attributor`` (default: the real engine) and its prior-only baseline on ``cases``.

    Cases whose ``certainty`` is below ``min_certainty`` are left out; a case
    the attributor cannot answer (:class:`~tripwire.errors.AttributionError`)
    is listed in ``skipped`` with the reason, never dropped silently.
    """
    if attributor is None:
        attributor = default_attributor(kb, settings)
    floor = CERTAINTY_ORDER[min_certainty]
    rows: list[CaseScore] = []
    skipped: list[tuple[str, str]] = []
    per = {"engine": ([], [], []), "baseline": ([], [], [])}  # brier, log, (p, y) pairs
    red = {"engine": ([], [], []), "baseline": ([], [], [])}
    for case in cases:
        if CERTAINTY_ORDER[case.outcome.certainty] < floor:
            skipped.append((case.id, f"resolution certainty {case.outcome.certainty} is below {min_certainty}"))
            continue
        try:
            result = _call(attributor, case.incident)
            post, prior = _distributions(result, kb, grouping)
        except AttributionError as exc:
            skipped.append((case.id, exc.message))
            continue
        truth = perpetrator_group(case.outcome.perpetrator, kb, grouping=grouping)
        classes = sorted(set(post) | set(prior) | {truth})
        for name, dist in (("engine", post), ("baseline", prior)):
            brier = sum((dist.get(k, 0.0) - (k == truth)) ** 2 for k in classes)
            per[name][0].append(brier)
            per[name][1].append(_log(dist.get(truth, 0.0)))
            per[name][2].extend((dist.get(k, 0.0), float(k == truth)) for k in classes)
        p_red = sum(e.probability for e in result.posterior if _in_event(e.hypothesis, kb, sponsor, relations))
        p_red_base = sum(e.prior for e in result.posterior if _in_event(e.hypothesis, kb, sponsor, relations))
        p_red = min(max(p_red / max(sum(e.probability for e in result.posterior), EPS), 0.0), 1.0)
        p_red_base = min(max(p_red_base / max(sum(e.prior for e in result.posterior), EPS), 0.0), 1.0)
        y = red_line_truth(case.outcome, kb, sponsor=sponsor, relations=relations)
        if y is not None:
            for name, p in (("engine", p_red), ("baseline", p_red_base)):
                red[name][0].append((p - float(y)) ** 2)
                red[name][1].append(_log(p if y else 1.0 - p))
                red[name][2].append((p, float(y)))
        rows.append(
            CaseScore(
                case_id=case.id,
                true_group=truth,
                p_true=post.get(truth, 0.0),
                p_true_baseline=prior.get(truth, 0.0),
                top_group=max(post, key=lambda k: post[k]),
                red_line_true=y,
                p_red_line=p_red,
                p_red_line_baseline=p_red_base,
                certainty=case.outcome.certainty,
            )
        )
    bins = {
        "perpetrator": {name: reliability_bins(per[name][2], n_bins) for name in per},
        "red_line": {name: reliability_bins(red[name][2], n_bins) for name in red},
    }
    return CalibrationReport(
        cases=tuple(rows),
        perpetrator={name: _scores(per[name][0], per[name][1], bins["perpetrator"][name]) for name in per},
        red_line={name: _scores(red[name][0], red[name][1], bins["red_line"][name]) for name in red},
        bins=bins,
        skipped=tuple(skipped),
        event=f"sponsor {sponsor}, relation {'/'.join(sorted(relations))} (or {sponsor}'s own forces)",
    )


def default_attributor(kb: "KnowledgeBase", settings: "Settings | None" = None) -> SupportsAttribute:
    """The real engine, ``tripwire.attribute.Attributor(kb)``."""
    from .engine import Attributor

    return Attributor(kb, settings=settings)


# ---------------------------------------------------------------------------
# Output: PNG, HTML, table, file-level entry point
# ---------------------------------------------------------------------------


def write_reliability_png(report: CalibrationReport, path: str | Path) -> Path:
    """Reliability diagrams (perpetrator one-vs-rest, red-line event) for engine and baseline, as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    fig = Figure(figsize=(10, 4.6), dpi=110)
    FigureCanvasAgg(fig)
    titles = {"perpetrator": "Perpetrator group (one-vs-rest)", "red_line": "Red-line event (tied to instructions from the sponsor)"}
    styles = {"engine": ("#1f5fa8", "o", "engine"), "baseline": ("#c0792b", "s", "prior only")}
    for i, question in enumerate(("perpetrator", "red_line")):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="perfect calibration")
        for name, (colour, marker, label) in styles.items():
            filled = [b for b in report.bins[question][name] if b.count]
            if not filled:
                continue
            xs = [b.mean_predicted for b in filled]
            ys = [b.observed for b in filled]
            sizes = [20 + 8 * math.sqrt(b.count) for b in filled]
            ax.plot(xs, ys, color=colour, linewidth=1.2, label=f"{label} (ECE {(report.perpetrator if question == 'perpetrator' else report.red_line)[name].ece:.3f})")
            ax.scatter(xs, ys, s=sizes, color=colour, marker=marker, zorder=3)
            for b in filled:
                ax.annotate(str(b.count), (b.mean_predicted, b.observed), textcoords="offset points", xytext=(4, 4), fontsize=7, color=colour)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("predicted probability (bin mean)")
        ax.set_ylabel("observed frequency")
        ax.set_title(titles[question], fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    try:
        fig.savefig(path, format="png")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def _fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def calibration_html(report: CalibrationReport, png: bytes | None = None) -> str:
    """A self-contained HTML page: score summary, embedded reliability diagram, bins and per-case table."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Tripwire calibration report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}th{background:#f0f0f0}.better{color:#1b7f3b;font-weight:bold}</style></head><body>",
        "<h1>Calibration of the attribution engine</h1>",
        f"<p>{len(report.cases)} resolved case(s) scored; {len(report.skipped)} left out. Baseline = the engine's prior alone (no evidence). "
        "Lower Brier and log scores are better; a positive skill score means the evidence improved on the prior.</p>",
        "<table><tr><th>question</th><th>forecaster</th><th>cases</th><th>Brier</th><th>log score</th><th>ECE</th><th>Brier skill vs prior</th></tr>",
    ]
    for question, scores in (("perpetrator group", report.perpetrator), ("red line: " + report.event, report.red_line)):
        key = "perpetrator" if question.startswith("perp") else "red_line"
        for name in ("engine", "baseline"):
            s = scores[name]
            better = name == "engine" and s.n and s.brier < scores["baseline"].brier
            skill = _fmt(report.skill(key)) if name == "engine" else ""
            parts.append(
                f"<tr><td>{esc(question)}</td><td{' class=better' if better else ''}>{'engine' if name == 'engine' else 'prior only'}</td>"
                f"<td>{s.n}</td><td>{_fmt(s.brier)}</td><td>{_fmt(s.log_score)}</td><td>{_fmt(s.ece)}</td><td>{skill}</td></tr>"
            )
    parts.append("</table>")
    if png:
        parts.append(f"<h2>Reliability diagram</h2><img alt='reliability diagram' style='max-width:100%' src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>")
    for question in ("perpetrator", "red_line"):
        parts.append(f"<h3>Bins: {esc(question.replace('_', ' '))}</h3><table><tr><th>bin</th><th>engine: count</th><th>mean predicted</th><th>observed</th><th>prior: count</th><th>mean predicted</th><th>observed</th></tr>")
        for be, bb in zip(report.bins[question]["engine"], report.bins[question]["baseline"]):
            parts.append(
                f"<tr><td>{be.lo:.1f}–{be.hi:.1f}</td><td>{be.count}</td><td>{_fmt(be.mean_predicted)}</td><td>{_fmt(be.observed)}</td>"
                f"<td>{bb.count}</td><td>{_fmt(bb.mean_predicted)}</td><td>{_fmt(bb.observed)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Cases</h2><table><tr><th>case</th><th>resolved as</th><th>certainty</th><th>P(engine)</th><th>P(prior)</th><th>engine's top group</th><th>red line</th><th>P red line (engine)</th><th>P red line (prior)</th></tr>")
    for c in report.cases:
        truth = "open" if c.red_line_true is None else ("yes" if c.red_line_true else "no")
        parts.append(
            f"<tr><td>{esc(c.case_id)}</td><td>{esc(c.true_group)}</td><td>{esc(c.certainty)}</td><td>{c.p_true:.3f}</td><td>{c.p_true_baseline:.3f}</td>"
            f"<td>{esc(c.top_group)}</td><td>{truth}</td><td>{c.p_red_line:.3f}</td><td>{c.p_red_line_baseline:.3f}</td></tr>"
        )
    parts.append("</table>")
    if report.skipped:
        parts.append("<h2>Left out</h2><ul>" + "".join(f"<li>{esc(cid)}: {esc(why)}</li>" for cid, why in report.skipped) + "</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def render_calibration(report: CalibrationReport) -> "Table":
    """The score summary as a rich table (engine vs prior-only baseline)."""
    from rich.table import Table

    table = Table(title=f"Calibration on {len(report.cases)} resolved case(s)", caption="lower is better; skill > 0 means the evidence improved on the prior")
    for col in ("question", "forecaster", "cases", "Brier", "log score", "ECE", "skill vs prior"):
        table.add_column(col)
    for key, label, scores in (("perpetrator", "perpetrator group", report.perpetrator), ("red_line", "red line", report.red_line)):
        for name in ("engine", "baseline"):
            s = scores[name]
            table.add_row(label, "engine" if name == "engine" else "prior only", str(s.n), _fmt(s.brier), _fmt(s.log_score), _fmt(s.ece), _fmt(report.skill(key)) if name == "engine" else "")
    return table


def evaluate_file(cases_path: str | Path, *, kb: "KnowledgeBase", out_dir: str | Path | None = None, attributor: AttributorLike | None = None, settings: "Settings | None" = None, **options: object) -> CalibrationReport:
    """Load a cases file, :func:`evaluate` it and, with ``out_dir``, write ``reliability.png`` and ``calibration.html`` there."""
    report = evaluate(load_cases(cases_path), attributor, kb=kb, settings=settings, **options)  # type: ignore[arg-type]
    if out_dir is None:
        return report
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder {out}: {exc.strerror or exc}") from exc
    png_path = write_reliability_png(report, out / "reliability.png")
    html_path = out / "calibration.html"
    try:
        html_path.write_text(calibration_html(report, png_path.read_bytes()), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {html_path}: {exc.strerror or exc}") from exc
    return replace(report, outputs=(str(png_path), str(html_path)))
