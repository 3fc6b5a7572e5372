"""Rule-based, deterministic extraction of incidents, attributions, actions and red lines from news text.

Public API::

    extract(document, kb=None) -> Extraction
    extract_text(text, *, published=None, document_id=None, kb=None) -> Extraction
    merge(extractions) -> Merged          # one incident/action per real event across documents
    extract_many(documents, *, knowledge_dir=None, workers=None) -> list[Extraction]   # on every core
    extract_and_save(store, documents, *, knowledge_dir=None, batch_size=200)  # saved in batches as workers return

See docs/extraction.md for what is extracted and the conventions used.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "extract_and_save": ".batch",
    "extract_many": ".batch",
    "EXTRACTOR_VERSION": ".extractor",
    "extract": ".extractor",
    "extract_text": ".extractor",
    "Merged": ".merge",
    "merge": ".merge",
})
