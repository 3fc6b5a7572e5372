"""The application layer: one context (settings, knowledge base, store) per job, and the jobs that compose the stages.

``tripwire.cli``, ``tripwire.web`` and Python callers go through here;
the stage packages below it take what they need as arguments (see
docs/architecture.md).

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "Context": ".context",
    "open_context": ".context",
    "load_knowledge": ".context",
    "load_rule_set": ".context",
    "BriefResult": ".jobs",
    "CheckRun": ".jobs",
    "brief": ".jobs",
    "check": ".jobs",
    "attribute_stored": ".jobs",
    "extract_stored": ".jobs",
    "merge_and_save": ".jobs",
    "write_report": ".outputs",
    "export": ".outputs",
    "import_dataset": ".outputs",
    "evaluate_extraction": ".evaluation",
    "run_brief": ".jobs",
})
