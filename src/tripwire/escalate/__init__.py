"""Escalation: action-reaction chains, Hawkes dynamics and red-line policy simulation.

* :func:`build_chain` / :class:`EscalationChain` — which event led to which
  (:mod:`.chains`, picture in :mod:`.chain_plot`);
* :class:`HawkesExp`, :class:`HawkesSumExp` — fitted attack dynamics
  (:mod:`.hawkes`);
* :func:`simulate_policy` / :class:`PolicyScenario` / :class:`PolicyResult` —
  how often a red line trips and on what (:mod:`.policy`, :mod:`.spoilers`,
  :mod:`.attribution_error`, :mod:`.generators`, plot in :mod:`.policy_plot`);
* :func:`run_sweep` — scenario grids, serially or on Dask (:mod:`.sweep`).

See ``docs/escalation.md``.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "build_chain": ".chains",
    "ChainConfig": ".chains",
    "ChainEdge": ".chains",
    "ChainNode": ".chains",
    "EscalationChain": ".chains",
    "plot_chain": ".chain_plot",
    "EventModel": ".generators",
    "PoissonModel": ".generators",
    "BranchingModel": ".generators",
    "AttributionModel": ".attribution_error",
    "ConfusionAttribution": ".attribution_error",
    "BetaScores": ".attribution_error",
    "EmpiricalScores": ".attribution_error",
    "Spoiler": ".spoilers",
    "PolicyScenario": ".policy",
    "PolicyPoint": ".policy",
    "PolicyResult": ".policy",
    "simulate_policy": ".policy",
    "plot_tradeoff": ".policy_plot",
    "ScenarioGrid": ".sweep",
    "SweepResult": ".sweep",
    "run_sweep": ".sweep",
    "policy_sweep": ".sweep",
    "HawkesExp": ".hawkes",
    "HawkesSumExp": ".hawkes",
    "ForecastResult": ".hawkes",
})
