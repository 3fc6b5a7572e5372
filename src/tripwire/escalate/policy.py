"""Red-line policy Monte Carlo: how often would a declared red line trip, and on what?

The policy under study: "if an American is killed and the attack can be tied
back to instructions from the sponsor (P(ordered) >= threshold), respond
immediately". One simulated run over ``days`` days goes:

1. proxy attacks arrive from a fitted event model (a Hawkes model, or any
   :class:`~tripwire.escalate.generators.EventModel`); each was truly ordered
   by the sponsor with probability ``p_ordered``;
2. spoilers (:mod:`~tripwire.escalate.spoilers`) add attacks of their own,
   never ordered, some staged to look ordered;
3. each attack kills an American with probability ``lethality`` (a spoiler's
   own when set);
4. the attribution engine scores every attack
   (:mod:`~tripwire.escalate.attribution_error`); the red line trips on the
   first lethal attack whose score reaches the threshold;
5. on a trip the state retaliates against the sponsor with probability
   ``p_retaliate``, and the sponsor strikes back with probability
   ``p_counter`` (``p_counter_misattributed`` when the trip was on an attack it
   did not order): that is a direct state-on-state exchange.

Every run shares its random draws across thresholds (common random numbers),
so results are exactly monotone in the threshold and differences between
thresholds carry little noise. Everything is vectorised over runs; a seed
reproduces the result bit for bit. Standard errors are binomial Monte Carlo
errors, ``sqrt(p (1 - p) / n_sims)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import InputError
from .attribution_error import AttributionModel, ConfusionAttribution
from .generators import EventModel, run_order, simulate_many
from .spoilers import Spoiler, draw_spoiler_attacks


def _probability(name: str, value: float | None) -> None:
    if value is not None and not (np.isfinite(value) and 0.0 <= value <= 1.0):
        raise InputError(f"{name} must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True)
class PolicyScenario:
    """Everything about one policy question except the attack dynamics.

    ``thresholds``: evidentiary thresholds on P(ordered) to compare, each in
    (0, 1]; ``days``: horizon; ``lethality``: P(an American is killed | proxy
    attack); ``p_ordered``: share of proxy attacks the sponsor truly ordered;
    ``attribution``: how the engine's scores err; ``spoilers``: provocateurs;
    ``p_retaliate``/``p_counter``/``p_counter_misattributed``: the exchange
    after a trip (the last defaults to ``p_counter``); ``attack_dims``: which
    dimensions of a multivariate event model are the proxies' attacks (None: all).
    """

    thresholds: tuple[float, ...] = (0.5, 0.75, 0.9)
    days: float = 60.0
    lethality: float = 0.1
    p_ordered: float = 0.5
    attribution: AttributionModel = field(default_factory=ConfusionAttribution)
    spoilers: tuple[Spoiler, ...] = ()
    p_retaliate: float = 1.0
    p_counter: float = 0.5
    p_counter_misattributed: float | None = None
    attack_dims: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", tuple(float(t) for t in self.thresholds))
        object.__setattr__(self, "spoilers", tuple(self.spoilers))
        if not self.thresholds:
            raise InputError("at least one threshold is needed")
        for t in self.thresholds:
            if not (0.0 < t <= 1.0):
                raise InputError(f"thresholds must lie in (0, 1], got {t!r}")
        if not (np.isfinite(self.days) and self.days > 0):
            raise InputError(f"days must be > 0, got {self.days!r}")
        for name in ("lethality", "p_ordered", "p_retaliate", "p_counter", "p_counter_misattributed"):
            _probability(name, getattr(self, name))
        if not isinstance(self.attribution, AttributionModel):
            raise InputError("attribution must be an attribution-error model (ConfusionAttribution, BetaScores, EmpiricalScores)")


@dataclass(frozen=True)
class PolicyPoint:
    """Outcomes at one threshold. Each ``p_*`` comes with its Monte Carlo standard error ``se_*``.

    ``p_trip``: the red line trips within the horizon; ``p_trip_ordered``: it
    trips on an attack the sponsor really ordered; ``p_trip_misattributed``:
    on one it did not (a proxy acting alone or a spoiler); ``p_trip_spoiler``:
    on a spoiler's attack; ``p_exchange``: a direct state-on-state exchange
    follows; ``misattributed_share``: P(misattributed | trip) (NaN with no
    trips); ``mean_days_to_trip``: mean day of the trip among runs that trip.
    """

    threshold: float
    p_trip: float
    se_trip: float
    p_trip_ordered: float
    se_trip_ordered: float
    p_trip_misattributed: float
    se_trip_misattributed: float
    p_trip_spoiler: float
    se_trip_spoiler: float
    p_exchange: float
    se_exchange: float
    misattributed_share: float
    se_misattributed_share: float
    mean_days_to_trip: float


@dataclass(frozen=True)
class PolicyResult:
    """A threshold sweep of one scenario: one :class:`PolicyPoint` per threshold, in the scenario's order."""

    points: tuple[PolicyPoint, ...]
    n_sims: int
    days: float
    seed: str
    scenario: PolicyScenario = field(compare=False, repr=False)

    def point(self, threshold: float) -> PolicyPoint:
        """The point for one threshold (InputError when it was not swept)."""
        for p in self.points:
            if np.isclose(p.threshold, threshold):
                return p
        raise InputError(f"threshold {threshold!r} was not part of this sweep")

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON: settings and one record per threshold (NaN as None)."""
        sc = self.scenario
        return {
            "n_sims": self.n_sims,
            "days": self.days,
            "seed": self.seed,
            "lethality": sc.lethality,
            "p_ordered": sc.p_ordered,
            "attribution": sc.attribution.label,
            "spoilers": [asdict(s) for s in sc.spoilers],
            "p_retaliate": sc.p_retaliate,
            "p_counter": sc.p_counter,
            "points": [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in asdict(p).items()} for p in self.points],
        }


def _se(p: np.ndarray | float, n: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.sqrt(p * (1.0 - p) / n) if n > 0 else np.full(p.shape, np.nan)


def _rng(rng: np.random.Generator | np.random.SeedSequence | int | None) -> tuple[np.random.Generator, str]:
    if isinstance(rng, np.random.Generator):
        return rng, "generator"
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng), f"{rng.entropy}/{'.'.join(map(str, rng.spawn_key)) or '-'}"
    if rng is None:
        raise InputError("pass a seed or a numpy Generator: policy simulations are never seeded globally")
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise InputError(f"seed must be a non-negative integer, got {rng!r}")
    return np.random.default_rng(int(rng)), str(int(rng))


def simulate_policy(
    model: EventModel,
    scenario: PolicyScenario,
    *,
    n_sims: int = 10_000,
    rng: np.random.Generator | np.random.SeedSequence | int | None = None,
) -> PolicyResult:
    """Estimate trip, misattribution and exchange probabilities for each threshold by simulation.

    ``model`` supplies proxy attack times (days); ``rng`` is a seed, a
    :class:`numpy.random.SeedSequence` or a Generator (required).
    """
    if not isinstance(n_sims, (int, np.integer)) or n_sims < 1:
        raise InputError(f"n_sims must be a positive integer, got {n_sims!r}")
    if not hasattr(model, "simulate"):
        raise InputError(f"{type(model).__name__} is not an event model (it has no simulate method)")
    gen, seed_label = _rng(rng)
    sc = scenario
    T = float(sc.days)

    # 1-3: attacks, who ordered them, who died
    p_times, p_sims = simulate_many(model, T, n_sims, gen, dims=sc.attack_dims)
    ordered = gen.random(p_times.size) < sc.p_ordered
    sp = draw_spoiler_attacks(sc.spoilers, T, n_sims, gen, default_lethality=sc.lethality)
    times = np.concatenate([p_times, sp.times])
    sims = np.concatenate([p_sims, sp.sims])
    truly = np.concatenate([ordered, np.zeros(sp.times.size, dtype=bool)])
    looks = np.concatenate([ordered, sp.looks_ordered])
    is_spoiler = np.concatenate([np.zeros(p_times.size, dtype=bool), np.ones(sp.times.size, dtype=bool)])
    lethality = np.concatenate([np.full(p_times.size, sc.lethality), sp.lethality])
    lethal = gen.random(times.size) < lethality
    # 4: the engine's verdicts
    score = np.asarray(sc.attribution.draw(looks, gen), dtype=float)
    # 5: the state's and the sponsor's choices (one pair of draws per run)
    u_retaliate = gen.random(n_sims)
    u_counter = gen.random(n_sims)

    order = run_order(times, sims)
    times, sims, truly, is_spoiler, lethal, score = (a[order] for a in (times, sims, truly, is_spoiler, lethal, score))
    thresholds = np.asarray(sc.thresholds)
    n_events = times.size
    trips = lethal[:, None] & (score[:, None] >= thresholds[None, :])  # (events, thresholds)
    first = _first_per_run(trips, sims, n_sims)  # (runs, thresholds); n_events where none

    tripped = first < n_events
    pad = lambda a, fill: np.append(a, fill)  # noqa: E731 - sentinel for "no trip"
    on_ordered = pad(truly, False)[first]
    on_spoiler = pad(is_spoiler, False)[first]
    trip_day = pad(times, np.nan)[first]
    misattributed = tripped & ~on_ordered
    p_counter_mis = sc.p_counter if sc.p_counter_misattributed is None else sc.p_counter_misattributed
    counter = np.where(misattributed, p_counter_mis, sc.p_counter)
    exchange = tripped & (u_retaliate[:, None] < sc.p_retaliate) & (u_counter[:, None] < counter)

    points = []
    for k, t in enumerate(sc.thresholds):
        n_trip = int(tripped[:, k].sum())
        outcomes = {
            "trip": tripped,
            "ordered": tripped & on_ordered,
            "mis": misattributed,
            "spoiler": tripped & on_spoiler,
            "exch": exchange,
        }
        est = {name: float(arr[:, k].mean()) for name, arr in outcomes.items()}
        share = float(misattributed[:, k].sum() / n_trip) if n_trip else float("nan")
        points.append(
            PolicyPoint(
                threshold=t,
                p_trip=est["trip"],
                se_trip=float(_se(est["trip"], n_sims)),
                p_trip_ordered=est["ordered"],
                se_trip_ordered=float(_se(est["ordered"], n_sims)),
                p_trip_misattributed=est["mis"],
                se_trip_misattributed=float(_se(est["mis"], n_sims)),
                p_trip_spoiler=est["spoiler"],
                se_trip_spoiler=float(_se(est["spoiler"], n_sims)),
                p_exchange=est["exch"],
                se_exchange=float(_se(est["exch"], n_sims)),
                misattributed_share=share,
                se_misattributed_share=float(_se(share, n_trip)) if n_trip else float("nan"),
                mean_days_to_trip=float(np.nanmean(trip_day[:, k])) if n_trip else float("nan"),
            )
        )
    return PolicyResult(points=tuple(points), n_sims=int(n_sims), days=T, seed=seed_label, scenario=sc)


def _first_per_run(flags: np.ndarray, sims: np.ndarray, n_sims: int) -> np.ndarray:
    """Index of the first flagged event of each run, per column; ``len(flags)`` where a run has none.

    ``sims`` must be sorted (events grouped by run, in time order within a run).
    """
    n_events, n_cols = flags.shape
    if n_events == 0:
        return np.zeros((n_sims, n_cols), dtype=np.int64)
    idx = np.where(flags, np.arange(n_events, dtype=np.int64)[:, None], n_events)
    idx = np.vstack([idx, np.full((1, n_cols), n_events, dtype=np.int64)])
    starts = np.searchsorted(sims, np.arange(n_sims), side="left")
    counts = np.bincount(sims, minlength=n_sims)
    first = np.minimum.reduceat(idx, starts, axis=0)
    first[counts == 0] = n_events
    return first


def policy_table(result: PolicyResult) -> list[dict[str, str]]:
    """Rows for a terminal table: threshold and each probability as ``p ± se``."""
    rows = []
    for p in result.points:
        rows.append(
            {
                "threshold": f"{p.threshold:g}",
                "P(trip)": f"{p.p_trip:.3f} ± {p.se_trip:.3f}",
                "P(trip, ordered)": f"{p.p_trip_ordered:.3f} ± {p.se_trip_ordered:.3f}",
                "P(trip, misattributed)": f"{p.p_trip_misattributed:.3f} ± {p.se_trip_misattributed:.3f}",
                "P(trip, spoiler)": f"{p.p_trip_spoiler:.3f} ± {p.se_trip_spoiler:.3f}",
                "P(state exchange)": f"{p.p_exchange:.3f} ± {p.se_exchange:.3f}",
                "misattributed share": "-" if np.isnan(p.misattributed_share) else f"{p.misattributed_share:.2f}",
            }
        )
    return rows


def parse_thresholds(text: str | Sequence[float]) -> tuple[float, ...]:
    """``"0.5,0.75,0.9"`` (or a list) as a tuple of floats in (0, 1]; InputError otherwise."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for item in items:
        try:
            value = float(item)
        except (TypeError, ValueError):
            raise InputError(f"not a threshold: {item!r}") from None
        if not 0.0 < value <= 1.0:
            raise InputError(f"thresholds must lie in (0, 1], got {value!r}")
        out.append(value)
    if not out:
        raise InputError("no thresholds given")
    return tuple(out)
