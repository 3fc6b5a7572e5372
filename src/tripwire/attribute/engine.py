"""The Bayesian attribution engine: prior x evidence -> posterior, with every number explained.

``posterior(h) = prior(h) exp(sum_i log_lr_i(h)) / Z``, where each evidence
item's per-hypothesis log-likelihood ratio is given in
:attr:`AttributionResult.evidence` (see :mod:`.evidence` for the models and
``docs/attribution.md`` for the whole story).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AttributionError
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionResult, Hypothesis, Incident, PosteriorEntry
from ..settings import Settings
from .context import ContextIndex
from .evidence import EvidenceItem, Params
from .hypotheses import hypothesis_space, perpetrator_marginal, prior_vector
from .observations import BuildContext, pattern_item, statement_items, timing_item, weapon_item
from .sources import SourceSetting, SpeakerBiasModel, attribution_basis
from .tables import EvidenceTables
from .uncertainty import as_generator, draws_of_posterior, interval, posterior


@dataclass(frozen=True, eq=False)
class Compiled:
    """An incident turned into numbers: hypotheses, prior and evidence items with their point parameters."""

    incident: Incident
    space: list[Hypothesis]
    prior: np.ndarray
    items: tuple[EvidenceItem, ...]
    point: Params

    def log_lr_matrix(self, params: Params | None = None) -> np.ndarray:
        """Per-item, per-hypothesis log-LR at ``params`` (default: point values), shape (items, H)."""
        p = params or self.point
        if not self.items:
            return np.zeros((0, len(self.space)))
        return np.stack([item.log_lr(p, len(self.space)) for item in self.items])

    def posterior(self, log_lr: np.ndarray | None = None, prior: np.ndarray | None = None) -> np.ndarray:
        """Posterior at point values (or with the given total log-LR / prior)."""
        total = self.log_lr_matrix().sum(axis=0) if log_lr is None else log_lr
        pr = self.prior if prior is None else prior
        with np.errstate(divide="ignore"):
            return posterior(np.log(pr), total)


class Attributor:
    """Attributes incidents to hypotheses (perpetrator x sponsor relation).

    ``sources`` overrides speakers'/outlets' grades and label rates by id
    (values as accepted by :meth:`SourceSetting.parse`, e.g. ``"B2"``);
    ``bias`` is a fitted :class:`SpeakerBiasModel` whose learned rates replace
    the knowledge-base ones where it has data.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        settings: Settings | None = None,
        relations: Sequence[str] | None = None,
        sources: Mapping[str, Any] | None = None,
        bias: SpeakerBiasModel | None = None,
        tables: EvidenceTables | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.kb = kb
        self.relations = tuple(relations) if relations is not None else None
        self.sources = {str(k): SourceSetting.parse(v) for k, v in (sources or {}).items()}
        self.bias = bias
        self.tables = tables or EvidenceTables.load(self.settings.knowledge_dir or None)
        eps = float(self.settings.dependence_transmission_error)
        if not 0.0 <= eps < 1.0:
            raise AttributionError(f"dependence_transmission_error must be in [0, 1), got {eps!r}")
        self.eps = eps
        self._marginals: dict[str, dict[str, float]] = {}
        #: id(incident) -> (the incident, its marginal): the objects met in this engine's jobs, without hashing them again
        self._known: dict[int, tuple[Incident, dict[str, float]]] = {}

    # -- building ------------------------------------------------------------

    def space(self, incident: Incident) -> list[Hypothesis]:
        """The hypothesis space this attributor uses for ``incident``."""
        return hypothesis_space(self.kb, incident, relations=self.relations)

    def compile(
        self,
        incident: Incident,
        *,
        context: "ContextIndex | Sequence[Incident | Action]" = (),
        hypotheses: Sequence[Hypothesis] | None = None,
        perpetrator_scale: dict[str, float] | None = None,
        relation_scale: dict[str, float] | None = None,
        sources: Mapping[str, SourceSetting] | None = None,
    ) -> Compiled:
        """Hypotheses, prior and evidence items for ``incident`` (the engine's intermediate form)."""
        space = list(hypotheses) if hypotheses is not None else self.space(incident)
        if len(set(h.key for h in space)) != len(space):
            raise AttributionError("the hypothesis space has duplicates")
        prior = prior_vector(self.kb, space, self.tables, incident, perpetrator_scale=perpetrator_scale, relation_scale=relation_scale)
        point = Params({}, {})
        learned: Callable[[str, str], tuple[float, float] | None] | None = None
        if self.bias is not None:
            learned = self.bias.rates
        ctx = BuildContext(self.kb, self.tables, space, sources if sources is not None else self.sources, self.eps, point, learned)
        items: list[EvidenceItem] = list(statement_items(ctx, incident))
        index = ContextIndex.of(self.kb, context)
        weapon = weapon_item(ctx, incident)
        if weapon is not None:
            items.append(weapon)
        if hypotheses is None and perpetrator_scale is None and relation_scale is None and sources is None and id(incident) not in self._known:
            # the items so far are those of the incident without context: its marginal, for the later incidents like it
            self._known[id(incident)] = (incident, perpetrator_marginal(space, Compiled(incident, space, prior, tuple(items), point).posterior()))
        for extra in (timing_item(ctx, incident, index), pattern_item(ctx, incident, index, prior, self._marginal, int(self.settings.pattern_top_k))):
            if extra is not None:
                items.append(extra)
        return Compiled(incident, space, prior, tuple(items), point)

    def context_index(self, incidents: Sequence[Incident], actions: Sequence[Action], *, undated_sees_dated: bool = True) -> ContextIndex:
        """One index of a job's incidents and actions, to pass as ``context`` for each of them (see :mod:`.context`)."""
        return ContextIndex(self.kb, incidents, actions, undated_sees_dated=undated_sees_dated)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_known"] = {}  # keyed by object identity: meaningless in the process the engine is sent to
        return state

    def _marginal(self, incident: Incident) -> dict[str, float]:
        """P(perpetrator) of ``incident`` on its own evidence (no context), as pattern evidence weighs an earlier incident.

        Compiling an incident with its default space and sources remembers
        this marginal on the way (its statement and weapon items are the
        context-free ones), so an incident attributed before the later
        incidents like it is not compiled again for them; another object
        with the same content is looked up by its content hash.
        """
        known = self._known.get(id(incident))
        if known is not None and known[0] is incident:
            return known[1]
        key = hashlib.sha256(incident.model_dump_json().encode()).hexdigest()
        if key not in self._marginals:
            c = self.compile(incident)
            self._marginals[key] = perpetrator_marginal(c.space, c.posterior())
        self._known[id(incident)] = (incident, self._marginals[key])
        return self._marginals[key]

    # -- answering -----------------------------------------------------------

    def attribute(
        self,
        incident: Incident,
        *,
        context: "ContextIndex | Sequence[Incident | Action]" = (),
        rng: np.random.Generator | int | None = None,
        hypotheses: Sequence[Hypothesis] | None = None,
    ) -> AttributionResult:
        """The posterior over hypotheses for ``incident``, with credible intervals and the evidence table."""
        c = self.compile(incident, context=context, hypotheses=hypotheses)
        return self.result(c, rng=rng)

    def result(self, c: Compiled, *, rng: np.random.Generator | int | None = None) -> AttributionResult:
        """Turn a compiled incident into an :class:`AttributionResult` (intervals drawn with ``rng``)."""
        post = c.posterior()
        if not np.all(np.isfinite(post)):
            raise AttributionError(f"attribution of {c.incident.id!r} did not give finite probabilities")
        n = int(self.settings.interval_draws)
        bounds = None
        if n > 0:
            u = self.tables.raw["uncertainty"]
            draws = draws_of_posterior(c.prior, c.items, c.point, as_generator(rng, int(self.settings.seed)), n,
                                       k_reliability=float(u["reliability"]), k_label=float(u["label_rate"]), k_prior=float(u["prior"]))
            bounds = interval(draws, float(self.settings.interval_level))
        basis = attribution_basis(self.kb, c.incident, self.sources)
        entries = []
        for i, h in enumerate(c.space):
            iv = None
            if bounds is not None:
                lo, hi = float(bounds[i, 0]), float(bounds[i, 1])
                p = float(post[i])
                iv = (min(lo, p), max(hi, p))
            entries.append(PosteriorEntry(hypothesis=h, prior=float(c.prior[i]), probability=float(post[i]), interval=iv,
                                          confidence=basis.confidence(iv)))
        order = sorted(range(len(entries)), key=lambda i: (-entries[i].probability, c.space[i].key))
        evidence = tuple(item.contribution(c.space, c.point) for item in c.items)
        return AttributionResult(incident_id=c.incident.id, posterior=tuple(entries[i] for i in order), evidence=evidence, method="bayes",
                                 basis=basis)

    def sensitivity(
        self,
        incident: Incident,
        *,
        target: Callable[[Hypothesis], bool],
        threshold: float,
        context: "ContextIndex | Sequence[Incident | Action]" = (),
        rng: np.random.Generator | int | None = None,
    ):  # -> SensitivityReport (import cycle avoided)
        """Which evidence item, prior or speaker setting flips P(target) across ``threshold``; the best next question."""
        from .sensitivity import analyse

        return analyse(self, incident, target=target, threshold=threshold, context=context, rng=rng)
