"""The store: documents, extractions, incidents, attributions and red-line evaluations in SQLite or PostgreSQL.

See ``docs/store.md``. Open with ``Store(url)`` or ``Store.from_settings(settings)``.
"""

from .engine import head_revision
from .evaluations import OutboxAlert
from .store import Store, StoreInfo, paged

__all__ = ["OutboxAlert", "Store", "StoreInfo", "head_revision", "paged"]
