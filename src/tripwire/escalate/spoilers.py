"""Spoilers: third parties that stage attacks hoping the sponsor gets the blame.

A red line that fires on attribution gives anyone who wants a war between the
two states a lever: kill an American in a way that looks like the sponsor's
proxies did it. In Iraq in 2019-2020 ISIS was such a party (Iraqi
intelligence judged it the more likely author of the Kirkuk attack that
started the chain). A :class:`Spoiler` attacks at its own Poisson ``rate``,
never on the sponsor's orders, kills an American with its own ``lethality``
(None: the scenario's), and with probability ``mimicry`` stages the attack
well enough that the attribution engine scores it as if it were ordered.

:func:`draw_spoiler_attacks` draws all spoilers' attacks for many runs at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class Spoiler:
    """A provocateur: ``rate`` attacks/day, P(staged to look ordered) = ``mimicry``, own ``lethality`` or None."""

    name: str
    rate: float
    mimicry: float = 0.5
    lethality: float | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.rate) and self.rate >= 0):
            raise InputError(f"spoiler {self.name!r}: rate must be >= 0, got {self.rate!r}")
        for field_name in ("mimicry", "lethality"):
            value = getattr(self, field_name)
            if value is not None and not (np.isfinite(value) and 0.0 <= value <= 1.0):
                raise InputError(f"spoiler {self.name!r}: {field_name} must be in [0, 1], got {value!r}")


@dataclass(frozen=True)
class SpoilerAttacks:
    """Flat arrays over every spoiler attack in every run: time, run index, which spoiler, staged or not."""

    times: np.ndarray
    sims: np.ndarray
    spoiler: np.ndarray
    looks_ordered: np.ndarray
    lethality: np.ndarray


def draw_spoiler_attacks(
    spoilers: Sequence[Spoiler], end_time: float, n_sims: int, rng: np.random.Generator, *, default_lethality: float
) -> SpoilerAttacks:
    """All spoilers' attacks over ``[0, end_time)`` for ``n_sims`` runs (order of draws fixed: spoiler by spoiler)."""
    times, sims, who, looks, leth = [], [], [], [], []
    for k, sp in enumerate(spoilers):
        counts = rng.poisson(sp.rate * end_time, n_sims)
        s = np.repeat(np.arange(n_sims, dtype=np.int64), counts)
        times.append(rng.uniform(0.0, end_time, s.size))
        sims.append(s)
        who.append(np.full(s.size, k, dtype=np.int64))
        looks.append(rng.random(s.size) < sp.mimicry)
        leth.append(np.full(s.size, default_lethality if sp.lethality is None else sp.lethality))
    if not spoilers:
        empty = np.empty(0)
        return SpoilerAttacks(empty, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=bool), empty)
    return SpoilerAttacks(
        times=np.concatenate(times),
        sims=np.concatenate(sims),
        spoiler=np.concatenate(who),
        looks_ordered=np.concatenate(looks),
        lethality=np.concatenate(leth),
    )
