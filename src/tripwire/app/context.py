"""What every command and request opens once: settings, the knowledge base, the store and the rules.

The stage packages (ingest, extract, attribute, redlines, escalate, interop,
report) take what they need as arguments; this module is the one place that
loads the knowledge base from the ``knowledge_dir`` setting, opens the store
at ``database_url`` and reads the rule file, so every entry point (CLI, REST
API, Python) works on the same knowledge and the same rules::

    from tripwire import Settings
    from tripwire.app import open_context, jobs

    with open_context(Settings()) as ctx:
        run = jobs.check(ctx)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..knowledge import KnowledgeBase
from ..settings import Settings

if TYPE_CHECKING:
    from ..redlines.rules import RedLineRule
    from ..store import Store


def load_knowledge(settings: Settings) -> KnowledgeBase:
    """The bundled knowledge base, extended by the files in the ``knowledge_dir`` setting (cached per folder)."""
    return KnowledgeBase.load(settings.knowledge_dir or None)


def rules_path(settings: Settings, path: str | Path | None = None) -> Path | None:
    """The rule file to use: ``path`` when given, else the ``rules_file`` setting, else None (the bundled examples)."""
    if path is not None and str(path) != "":
        return Path(path)
    return Path(settings.rules_file) if settings.rules_file else None


def load_rule_set(settings: Settings, kb: KnowledgeBase, path: str | Path | None = None) -> list[RedLineRule]:
    """The red-line rules of :func:`rules_path`, validated against ``kb`` (so a rule may name the user's own actors)."""
    from ..redlines.rules import load_rules

    return load_rules(rules_path(settings, path), kb=kb)


@dataclass
class Context:
    """Settings, knowledge base and (once opened) store of one command or request."""

    settings: Settings
    kb: KnowledgeBase
    store: Store
    _rules: dict[str, list[RedLineRule]] = field(default_factory=dict, repr=False)
    _cluster: ExitStack = field(default_factory=ExitStack, repr=False)
    _client: Any = field(default=None, repr=False)

    def rules(self, path: str | Path | None = None) -> list[RedLineRule]:
        """The rules of ``path`` (default: the ``rules_file`` setting or the bundled examples), read again only when the file changes.

        A long-lived context (``tripwire serve``) so picks up an edited rule file on the next request.
        """
        chosen = rules_path(self.settings, path)
        try:
            stamp = chosen.stat().st_mtime_ns if chosen is not None else 0
        except OSError:
            stamp = -1  # missing: load_rule_set gives the clean error
        key = f"{chosen or ''}@{stamp}"
        if key not in self._rules:
            self._rules[key] = load_rule_set(self.settings, self.kb, path)
        return self._rules[key]

    def scheduler(self) -> Any:
        """The Dask client of the ``dask_scheduler`` setting, connected once per context (None: the setting is empty, run here).

        ``brief`` extracts and attributes on it; the store stays in this process.
        """
        address = str(self.settings.dask_scheduler).strip()
        if not address:
            return None
        if self._client is None:
            from ..cluster import dask_client

            self._client = self._cluster.enter_context(dask_client(address))
        return self._client

    def close(self) -> None:
        """Release the store's connections (and the Dask client, if one was opened)."""
        try:
            self._cluster.close()
        finally:
            self._client = None
            self.store.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def open_context(settings: Settings | None = None, *, create: bool = True, kb: KnowledgeBase | None = None) -> Iterator[Context]:
    """Open the knowledge base and the store named by ``settings`` for one job; closes the store after.

    ``create=False`` is for read-only commands: a SQLite file that does not
    exist is refused with a clear error instead of being created empty.
    """
    from ..store import Store

    settings = settings or Settings()
    knowledge = kb if kb is not None else load_knowledge(settings)
    store = Store.from_settings(settings, create=create)
    ctx = Context(settings, knowledge, store)
    try:
        yield ctx
    finally:
        ctx.close()


__all__ = ["Context", "load_knowledge", "load_rule_set", "open_context", "rules_path"]
