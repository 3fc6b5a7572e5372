"""The store: documents, extractions, incidents, attributions and red-line evaluations in SQLite or PostgreSQL.

See ``docs/store.md``. Open with ``Store(url)`` or ``Store.from_settings(settings)``.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "head_revision": ".engine",
    "OutboxAlert": ".evaluations",
    "Store": ".store",
    "StoreInfo": ".store",
    "paged": ".iterators",
})
