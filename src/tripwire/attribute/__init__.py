"""Bayesian attribution: who is behind an incident, and how far a sponsor state is answerable for it.

``Attributor(kb).attribute(incident, context=..., rng=seed)`` gives an
:class:`~tripwire.model.AttributionResult` whose posterior equals the
normalised prior times ``exp`` of the summed per-item log-likelihood ratios
listed in its ``evidence``. See ``docs/attribution.md``.
"""

from .engine import Attributor, Compiled
from .evidence import EvidenceItem, Factor, Params
from .hypotheses import expand_actor, hypothesis_space, prior_vector
from .sensitivity import Change, Question, SensitivityReport, expected_information_gain
from .sources import SourceSetting, SpeakerBiasModel, report_probabilities
from .tables import EvidenceTables
from .vectorised import Codebook, EvidenceBatch
from .workflows import attribute_article, attribute_stored

__all__ = [
    "Attributor",
    "Change",
    "Codebook",
    "Compiled",
    "EvidenceBatch",
    "EvidenceItem",
    "EvidenceTables",
    "Factor",
    "Params",
    "Question",
    "SensitivityReport",
    "SourceSetting",
    "SpeakerBiasModel",
    "attribute_article",
    "attribute_stored",
    "expand_actor",
    "expected_information_gain",
    "hypothesis_space",
    "prior_vector",
    "report_probabilities",
]
