"""Tripwire: watch declared red lines in a conflict theatre and say, with evidence, whether one was crossed.

The Python API, in the order of the pipeline (each name is imported on first use)::

    from tripwire import KnowledgeBase, Settings, Store, ingest, extract_text, merge, Attributor, load_rules, check

See ``docs/python-api.md`` for a worked example.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "tripwire.settings",
    "KnowledgeBase": "tripwire.knowledge",
    "Store": "tripwire.store",
    "ingest": "tripwire.ingest",
    "load_file": "tripwire.ingest",
    "extract": "tripwire.extract",
    "extract_text": "tripwire.extract",
    "merge": "tripwire.extract",
    "Attributor": "tripwire.attribute",
    "load_rules": "tripwire.redlines",
    "check": "tripwire.redlines",
    "check_and_record": "tripwire.redlines",
    "write_html_report": "tripwire.report",
    "run_brief": "tripwire.pipeline",
    "build_chain": "tripwire.escalate",
    "HawkesExp": "tripwire.escalate",
    "simulate_policy": "tripwire.escalate",
    "to_stix_bundle": "tripwire.interop",
    "import_file": "tripwire.interop",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tripwire' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
