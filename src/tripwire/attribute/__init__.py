"""Bayesian attribution: who is behind an incident, and how far a sponsor state is answerable for it.

``Attributor(kb).attribute(incident, context=..., rng=seed)`` gives an
:class:`~tripwire.model.AttributionResult` whose posterior equals the
normalised prior times ``exp`` of the summed per-item log-likelihood ratios
listed in its ``evidence``. See ``docs/attribution.md``.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "Attributed": ".batch",
    "attribute_many": ".batch",
    "Attributor": ".engine",
    "Compiled": ".engine",
    "EvidenceItem": ".evidence",
    "Factor": ".evidence",
    "Params": ".evidence",
    "expand_actor": ".hypotheses",
    "hypothesis_space": ".hypotheses",
    "prior_vector": ".hypotheses",
    "Change": ".sensitivity",
    "Question": ".sensitivity",
    "SensitivityReport": ".sensitivity",
    "expected_information_gain": ".sensitivity",
    "SourceSetting": ".sources",
    "SpeakerBiasModel": ".sources",
    "report_probabilities": ".sources",
    "EvidenceTables": ".tables",
    "Codebook": ".vectorised",
    "EvidenceBatch": ".vectorised",
})
