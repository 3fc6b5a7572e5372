"""Tripwire: watch declared red lines in a conflict theatre and say, with evidence, whether one was crossed.

The Python API, in the order of the pipeline (each name is imported on first use)::

    from tripwire import KnowledgeBase, Settings, Store, ingest, extract_text, merge, Attributor, load_rules, check

See ``docs/python-api.md`` for a worked example.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping
from typing import Any

__version__ = "0.1.0"


class LazyPackage(types.ModuleType):
    """A package whose public names are imported from their submodules on first use.

    Every package ``__init__`` of Tripwire calls :func:`lazy_exports`, so
    ``tripwire --help`` imports no numerical, STIX or analytics library it
    does not run. A plain submodule named like one of the package's exports
    (``tripwire.ingest.ingest``, ``tripwire.redlines.check``) does not
    replace the export when it is imported: the name keeps meaning the
    function, exactly as an eager ``from .ingest import ingest`` made it.
    A subpackage is bound as usual when imported (``tripwire.extract``).
    """

    _lazy_exports: Mapping[str, str]

    def __getattr__(self, name: str) -> Any:
        target = self.__dict__.get("_lazy_exports", {}).get(name)
        if target is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target, self.__name__), name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_lazy_exports", {})
        if (name in exports and isinstance(value, types.ModuleType) and not hasattr(value, "__path__")
                and value.__name__ == f"{self.__name__}.{name}"):
            return  # the import system binding a submodule that shares an export's name
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self.__dict__.get("_lazy_exports", {})))


def lazy_exports(package: str, exports: Mapping[str, str]) -> list[str]:
    """Make ``package`` import each of ``exports`` (name -> module, relative or absolute) on first use; returns ``__all__``."""
    module = sys.modules[package]
    module.__dict__["_lazy_exports"] = dict(exports)
    module.__class__ = LazyPackage
    return sorted(exports)


__all__ = ["__version__", *lazy_exports(__name__, {
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
    "run_brief": "tripwire.app",
    "open_context": "tripwire.app",
    "build_chain": "tripwire.escalate",
    "HawkesExp": "tripwire.escalate",
    "simulate_policy": "tripwire.escalate",
    "to_stix_bundle": "tripwire.interop",
    "import_file": "tripwire.interop",
})]
