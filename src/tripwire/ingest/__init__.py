"""Ingest: articles (text, Markdown, HTML), RSS/Atom feeds and URLs into documents and the store.

See ``docs/ingest.md``.
"""

from .fetch import load_url
from .ingest import IngestReport, ingest
from .readers import SUPPORTED_SUFFIXES, load_file

__all__ = ["SUPPORTED_SUFFIXES", "IngestReport", "ingest", "load_file", "load_url"]
