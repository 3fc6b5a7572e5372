"""Rule-based, deterministic extraction of incidents, attributions, actions and red lines from news text.

Public API::

    extract(document, kb=None) -> Extraction
    extract_text(text, *, published=None, document_id=None, kb=None) -> Extraction
    merge(extractions) -> Merged          # one incident/action per real event across documents
    extract_many(documents, *, knowledge_dir=None, workers=None) -> list[Extraction]   # on every core

See docs/extraction.md for what is extracted and the conventions used.
"""

from .batch import extract_many
from .extractor import EXTRACTOR_VERSION, extract, extract_text
from .merge import Merged, merge

__all__ = ["EXTRACTOR_VERSION", "Merged", "extract", "extract_many", "extract_text", "merge"]
