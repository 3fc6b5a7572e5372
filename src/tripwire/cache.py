"""An on-disk cache of tables derived from data files, so a new process need not rebuild them.

Preparing the knowledge base (spelling variants of 20,000 place names) and
the extractor's :class:`~tripwire.extract.lexicon.Lexicon` takes most of a
second, which every ``tripwire extract FILE`` used to pay. Both are pickled
here, under a key that hashes everything they were built from (the text of
every knowledge file, the source of the modules that build them, Tripwire's
version and the Python version), so an edited knowledge file or module, or an
upgrade, simply misses the cache and rebuilds.

Where: the ``cache_dir`` setting (``TRIPWIRE_CACHE_DIR``); empty means the
per-user cache folder (``$XDG_CACHE_HOME/tripwire``, else
``~/.cache/tripwire``), and ``off`` turns the cache off. The folder is created
readable by its owner only, and only files its owner wrote are read back, since
loading a pickle runs code. A cache that cannot be read or written (read-only
home, full disk, a corrupt or truncated file) is skipped silently: it costs
time, never a result.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import __version__
from .settings import SETTINGS

_SETTING = next(s for s in SETTINGS if s.name == "cache_dir")

#: bump when the pickled classes change shape in a way the key does not see
FORMAT = 1


def cache_dir() -> Path | None:
    """The cache folder from the ``cache_dir`` setting, or None when caching is off.

    Only the environment variable is read: the knowledge base is loaded before
    (and without) any settings file.
    """
    value = os.environ.get(_SETTING.env_var, "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "tripwire"


def key_for(kind: str, parts: Iterable[str | bytes], code: Iterable[str] = ()) -> str:
    """A key naming ``kind`` built from ``parts`` under this Tripwire and this Python.

    ``code`` names the modules that build the cached object: their source is
    hashed too, so editing the code that builds a table invalidates it even
    without a new version number.
    """
    digest = hashlib.sha256(f"{kind}\0{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    sources = []
    for module in code:
        try:
            spec = importlib.util.find_spec(module)
            sources.append(Path(spec.origin if spec and spec.origin else module).read_bytes())
        except (ImportError, OSError, ValueError):
            sources.append(module.encode())
    for part in (*sources, *parts):
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return f"{kind}-{digest.hexdigest()[:32]}"


def load(key: str, *, persistent_load: Callable[[Any], Any] | None = None) -> Any | None:
    """The object stored under ``key``, or None when there is none (or it cannot be read)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}.pickle"
    try:
        if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
            return None
        data = path.read_bytes()
        unpickler = pickle.Unpickler(io.BytesIO(data))
        if persistent_load is not None:
            unpickler.persistent_load = persistent_load  # type: ignore[method-assign]
        return unpickler.load()
    except Exception:  # noqa: BLE001 - a missing, foreign or damaged cache file is rebuilt, whatever went wrong
        return None


def store(key: str, value: Any, *, persistent_id: Callable[[Any], Any] | None = None) -> bool:
    """Write ``value`` under ``key`` atomically (a reader sees the old file or the new one); False when it could not."""
    folder = cache_dir()
    if folder is None:
        return False
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    if persistent_id is not None:
        pickler.persistent_id = persistent_id  # type: ignore[method-assign]
    try:
        pickler.dump(value)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(tmp, folder / f"{key}.pickle")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # noqa: BLE001 - an unwritable cache only costs the next process the rebuild
        return False
    return True
