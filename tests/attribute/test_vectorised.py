from __future__ import annotations

import numpy as np
import pytest

from tripwire.attribute import Attributor, Codebook
from tripwire.model import Source
from tripwire.settings import Settings


@pytest.fixture(scope="module")
def book(kb):
    att = Attributor(kb, settings=Settings({"interval_draws": 0}, environ={}))
    return Codebook(
        att,
        actors=["kataib-hezbollah", "isis", "iran-aligned-militia", "saraya-awliya-al-dam", "iran", "asaib-ahl-al-haq", "unknown", "pmf"],
        sources=[Source(speaker_id="us-administration"), Source(outlet_id="washington-post"), Source(speaker_id="iran-government", outlet_id="reuters"),
                 Source(speaker_id="iraqi-intelligence", outlet_id="new-york-times"), Source(outlet_id="antiwar-com", anonymous=True),
                 Source(speaker_id="kataib-hezbollah-spokesman"), Source(speaker_id="militia-telegram")],
        hedges=[(), ("apparently",), ("not yet clear", "reportedly"), ("no proof",)],
        weapons=["rocket-107mm", "rocket", "ied", "drone"],
    )


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=pytest.mark.slow)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_agrees_with_scalar_engine(book, engine, seed):
    batch = book.random_batch(150, 6, np.random.default_rng(seed))
    fast = book.posterior(batch, engine=engine)
    order = [h.key for h in book.space]
    for i in range(len(batch)):
        r = book.att.attribute(book.incident(batch, i), hypotheses=book.space)
        p = {e.hypothesis.key: e.probability for e in r.posterior}
        assert np.abs(fast[i] - np.array([p[k] for k in order])).max() < 1e-9


def test_batch_rows_are_distributions(book):
    post = book.posterior(book.random_batch(1000, 10, np.random.default_rng(5)))
    assert post.shape == (1000, len(book.space))
    assert np.all(post >= 0) and np.allclose(post.sum(axis=1), 1.0)


def test_bad_engine_name(book):
    with pytest.raises(ValueError):
        book.posterior(book.random_batch(2, 2, np.random.default_rng(0)), engine="gpu")


def test_auto_stays_on_numpy_for_small_problems() -> None:
    """Importing numba and loading the kernel would cost more than the numpy pass on a small batch."""
    import subprocess
    import sys

    code = ("import sys\nimport numpy as np\nfrom tripwire.attribute import Attributor, Codebook\nfrom tripwire.settings import Settings\n"
            "from tripwire.model import Source\n"
            "book = Codebook(Attributor(__import__('tripwire.knowledge', fromlist=['KnowledgeBase']).KnowledgeBase.load(), settings=Settings({'interval_draws': 0}, environ={})), actors=['isis', 'unknown'],\n"
            "                sources=[Source(speaker_id='pentagon')])\n"
            "post = book.posterior(book.random_batch(200, 5, np.random.default_rng(0)))\n"
            "assert post.shape[0] == 200\nprint('numba' in sys.modules, 'tripwire.attribute.kernel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(("size", "required", "numba_expected"), [(10, False, False), (10, True, True), (1_000_000, False, True)])
def test_auto_engine_choice(size, required, numba_expected, monkeypatch):
    import sys

    from tripwire.attribute import vectorised

    monkeypatch.delitem(sys.modules, "tripwire.attribute.kernel", raising=False)
    kernel = vectorised._numba_kernel(size, required=required)
    assert (kernel is not None) is numba_expected
    assert vectorised.AUTO_NUMBA_MIN_ITEMS == 1_000_000
