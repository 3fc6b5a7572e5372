"""Ingest: articles (text, Markdown, HTML), RSS/Atom feeds and URLs into documents and the store.

See ``docs/ingest.md``.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "Inline": ".ingest",
    "load_url": ".fetch",
    "IngestReport": ".ingest",
    "ingest": ".ingest",
    "SUPPORTED_SUFFIXES": ".readers",
    "load_file": ".loading",
})
