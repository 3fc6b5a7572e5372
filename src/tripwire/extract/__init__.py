"""Rule-based, deterministic extraction of incidents, attributions, actions and red lines from news text.

Public API::

    extract(document, kb) -> Extraction
    extract_text(text, *, kb, published=None, document_id=None) -> Extraction
    merge(extractions, kb) -> Merged          # one incident/action per real event across documents
    extract_many(documents, kb, *, workers=None, scheduler=None) -> list[Extraction]   # on every core, or on Dask
    iter_extractions(documents, kb, *, workers=None, chunk_size=64) -> chunks as the workers return them

See docs/extraction.md for what is extracted and the conventions used.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "iter_extractions": ".batch",
    "extract_many": ".batch",
    "EXTRACTOR_VERSION": ".extractor",
    "extract": ".extractor",
    "extract_text": ".extractor",
    "Merged": ".merge",
    "merge": ".merge",
})
