"""The context an incident is attributed in, indexed so that each look-up costs the size of its answer.

Pattern evidence compares an incident with the earlier incidents like it, and
timing evidence looks for trigger actions (airstrikes, assassinations) in the
weeks before it. Given as flat lists, every incident of a corpus was compared
with every earlier one, so attributing a corpus took time growing with the
square of its size. A :class:`ContextIndex` is built once, in date order, for
all incidents and actions of a job:

* incidents are kept sorted by date, with their coordinates and weapon
  signature as arrays; :meth:`ContextIndex.similar` takes only the date window
  in which an earlier incident can still reach the similarity threshold (the
  bound follows from the ``pattern`` table), screens that window for place,
  date and weapon with numpy, and computes the exact
  :func:`~.observations.similarity` only for the incidents that pass;
* trigger actions are kept sorted by date; :meth:`ContextIndex.triggers`
  bisects the timing window.

Both return what the flat scan returned, in the same order (the order of the
incidents and actions given), so every posterior is unchanged. The one
deliberate difference is the ``pattern_top_k`` setting, applied by
:func:`~.observations.pattern_item`: only the ``k`` most similar earlier
incidents are used, and one note says how many more there were.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..knowledge import KnowledgeBase
from ..model import Action, Incident

#: relative slack of the numpy screen, far above its rounding error: an incident it drops is provably below the threshold
_SLACK = 1e-9
_EARTH_KM = 6371.0


class ContextIndex:
    """Incidents and actions of one job, indexed by date (and screened by place and weapon) for attribution.

    ``undated_sees_dated`` says whether an incident without a date has the
    dated incidents in its context (the flat context of ``tripwire check`` and
    of a hand-built list: yes; ``tripwire brief``, which treats an undated
    incident as the earliest: no). An incident never is its own context.
    """

    def __init__(self, kb: KnowledgeBase, incidents: Iterable[Incident] = (), actions: Iterable[Action] = (), *,
                 undated_sees_dated: bool = True) -> None:
        from .observations import match_weapon

        self.kb = kb
        self.incidents: list[Incident] = list(incidents)
        self.actions: list[Action] = list(actions)
        self.undated_sees_dated = undated_sees_dated
        self._weapon_ids: dict[str, int] = {}
        n = len(self.incidents)
        self._lat = np.full(n, np.nan)
        self._lon = np.full(n, np.nan)
        self._day = np.full(n, np.nan)
        self._weapon = np.full(n, -1, dtype=np.int64)
        self._ids = [i.id for i in self.incidents]
        for k, inc in enumerate(self.incidents):
            self._lat[k], self._lon[k], self._day[k], self._weapon[k] = self._features(inc, match_weapon)
        dated = [k for k in range(n) if not math.isnan(self._day[k])]
        dated.sort(key=lambda k: (self._day[k], k))
        self._by_day = np.array(dated, dtype=np.int64)
        self._days_sorted = self._day[self._by_day] if dated else np.zeros(0)
        self._undated = np.array([k for k in range(n) if math.isnan(self._day[k])], dtype=np.int64)
        timed = sorted((a.date, k) for k, a in enumerate(self.actions) if a.date is not None)
        self._action_dates = [d for d, _ in timed]
        self._action_order = [k for _, k in timed]

    @classmethod
    def of(cls, kb: KnowledgeBase, context: "ContextIndex | Sequence[Incident | Action]") -> "ContextIndex":
        """``context`` itself when it is an index, else an index of the incidents and actions in the list (all visible)."""
        if isinstance(context, ContextIndex):
            return context
        return cls(kb, (c for c in context if isinstance(c, Incident)), (c for c in context if isinstance(c, Action)))

    def _features(self, incident: Incident, match_weapon: Any) -> tuple[float, float, float, int]:
        place = incident.place
        if place is not None and place.lat is not None and place.lon is not None:
            lat, lon = math.radians(place.lat), math.radians(place.lon)
        else:
            lat = lon = math.nan
        day = float(incident.date.toordinal()) if incident.date else math.nan
        w = match_weapon(self.kb, incident)
        return lat, lon, day, (-1 if w is None else self._weapon_ids.setdefault(w.id, len(self._weapon_ids)))

    # -- timing ----------------------------------------------------------------

    def triggers(self, date: dt.date, window_days: float, kinds: Iterable[str]) -> list[Action]:
        """Dated actions of ``kinds`` from ``window_days`` before ``date`` up to ``date``, in the order given."""
        wanted = set(kinds)
        lo = bisect.bisect_left(self._action_dates, date - dt.timedelta(days=math.floor(window_days)))
        hi = bisect.bisect_right(self._action_dates, date)
        picked = sorted(k for k in self._action_order[lo:hi] if self.actions[k].kind in wanted)
        return [self.actions[k] for k in picked]

    # -- pattern ---------------------------------------------------------------

    def similar(self, incident: Incident, table: Mapping[str, Any], similarity: Any, ctx: Any) -> list[tuple[float, Incident]]:
        """(exact similarity, incident) of every visible earlier incident at or above ``min_similarity``, in the order given.

        ``similarity(ctx, a, b)`` is the exact measure; the numpy screen only
        removes incidents it bounds below the threshold.
        """
        from .observations import match_weapon

        min_s = float(table["min_similarity"])
        cand = self._visible(incident, table)
        if cand.size == 0:
            return []
        lat, lon, day, weapon = self._features(incident, match_weapon)
        bound = self._screen(cand, lat, lon, day, weapon, table)
        keep = cand[bound >= min_s * (1.0 - _SLACK)]
        keep.sort()
        out = []
        for k in keep.tolist():
            c = self.incidents[k]
            if c.id == incident.id:
                continue
            s = similarity(ctx, incident, c)
            if s >= min_s:
                out.append((s, c))
        return out

    def _visible(self, incident: Incident, table: Mapping[str, Any]) -> np.ndarray:
        parts = [self._undated]
        if incident.date is not None:
            day = incident.date.toordinal()
            reach = _day_reach(table)
            lo = 0 if math.isinf(reach) else int(np.searchsorted(self._days_sorted, day - reach, side="left"))
            hi = int(np.searchsorted(self._days_sorted, day, side="right"))
            parts.append(self._by_day[lo:hi])
        elif self.undated_sees_dated:
            parts.append(self._by_day)
        return np.concatenate(parts)

    def _screen(self, cand: np.ndarray, lat: float, lon: float, day: float, weapon: int, table: Mapping[str, Any]) -> np.ndarray:
        """The similarity of each candidate by the formula of :func:`~.observations.similarity`, in numpy."""
        clat, clon, cday, cw = self._lat[cand], self._lon[cand], self._day[cand], self._weapon[cand]
        if math.isnan(lat):
            km = np.full(cand.size, np.nan)
        else:
            h = np.sin((clat - lat) / 2) ** 2 + math.cos(lat) * np.cos(clat) * np.sin((clon - lon) / 2) ** 2
            km = 2 * _EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        s = np.where(np.isnan(km), float(table["no_place"]), np.exp(-np.nan_to_num(km) / float(table["distance_km"])))
        s = s * np.where(np.isnan(cday) | math.isnan(day), 0.5, np.exp(-np.abs(np.nan_to_num(cday) - (0.0 if math.isnan(day) else day)) / float(table["days"])))
        same = np.where(cw == weapon, float(table["same_weapon"]), float(table["other_weapon"]))
        return s * np.where((cw < 0) | (weapon < 0), float(table["unknown_weapon"]), same)


def _day_reach(table: Mapping[str, Any]) -> float:
    """How many days back an incident can still reach ``min_similarity`` (the other factors at their largest)."""
    min_s = float(table["min_similarity"])
    best_other = max(1.0, float(table["no_place"])) * max(float(table["same_weapon"]), float(table["other_weapon"]), float(table["unknown_weapon"]))
    if min_s <= 0.0:
        return math.inf
    if best_other <= 0.0:
        return 0.0
    return max(0.0, float(table["days"]) * math.log(best_other / min_s)) + 1.0
