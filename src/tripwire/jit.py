"""numba compilation cached on disk, for every compiled kernel in Tripwire.

``@jit(**options)`` is ``numba.njit(cache=True, **options)``: the machine code
is written to numba's cache (next to the module in ``__pycache__`` when that
folder is writable, as in a source checkout; otherwise the per-user cache,
as for a package installed read-only; or ``$NUMBA_CACHE_DIR`` when set) and a
later process loads it instead of compiling. Where no cache folder can be
used at all (a zipped install) it compiles in every process, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def jit(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """``numba.njit(cache=True, **options)``, falling back to an uncached compile when no cache folder is usable."""

    def wrap(f: Callable[..., Any]) -> Any:
        from numba import njit

        try:
            return njit(cache=True, **options)(f)
        except RuntimeError:  # numba: "cannot cache function ...: no locator available"
            return njit(cache=False, **options)(f)

    return wrap(fn) if fn is not None else wrap
