"""One path to documents: an article or feed file, or a ``.urls`` list whose pages are fetched.

The file readers (:mod:`.readers`) turn bytes into documents and the fetcher
(:mod:`.fetch`) turns URLs into bytes; this module is where the two meet, so
neither imports the other.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import UnsupportedFormat
from ..model import Document
from ..settings import Settings
from .fetch import fetch_documents
from .readers import Loaded, kind_for_suffix, load_bytes, read_limited, read_url_list

log = logging.getLogger("tripwire.ingest")


def load_path(path: str | Path, *, settings: Settings) -> list[Loaded]:
    """Like :func:`load_file`, keeping the extra locations and warnings of each document."""
    path = Path(path)
    kind = kind_for_suffix(path.suffix)
    if kind == "urls":
        out: list[Loaded] = []
        for url in read_url_list(path, settings=settings):
            out += fetch_documents(url, settings=settings)
        return out
    if path.is_dir():
        raise UnsupportedFormat(f"{path} is a folder; pass it to ingest, which walks folders", detail={"source": str(path)})
    data = read_limited(path, settings.max_document_bytes)
    return load_bytes(data, location=str(path.resolve()), kind=kind, settings=settings)


def load_file(path: str | Path, *, settings: Settings | None = None) -> list[Document]:
    """Documents in one file: ``[doc]`` for an article, one per entry for a feed, fetched ones for a URL list."""
    loaded = load_path(path, settings=settings or Settings())
    for item in loaded:
        for warning in item.warnings:
            log.warning("%s: %s", item.document.location, warning)
    return [item.document for item in loaded]


__all__ = ["load_file", "load_path"]
