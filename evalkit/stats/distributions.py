"""The normal and Student t functions a rerun needs, without importing :mod:`scipy.stats`.

``scipy.stats`` builds every one of its distributions when it is imported (about half a second of a
rerun, which asks it for three numbers).  Its ``norm`` and ``t`` compute their values with
:mod:`scipy.special` (``scipy/stats/_continuous_distns.py``: ``norm._ppf(q) = special.ndtri(q)``,
``norm._sf(x) = special.ndtr(-x)``, ``t._ppf(q, df) = special.stdtrit(df, q)``; with location 0 and
scale 1 their public methods add 0 and multiply by 1), so these give the same values to the bit
(``tests/test_distributions.py`` compares them over a grid).  The algorithms are Cephes' (Moshier,
S. L. 1989, *Methods and Programs for Mathematical Functions*): ``ndtri`` and ``ndtr`` for the
normal distribution, ``stdtrit`` for Student's t.  :mod:`scipy.special` itself is imported when first
needed (a tenth of a second), so a form's kernel that imports :mod:`evalkit.stats` does not pay for it.
"""

from __future__ import annotations


def normal_quantile(q: float) -> float:
    """Φ⁻¹(q), the standard normal quantile (``scipy.stats.norm.ppf``): 0.975 → 1.959963984540054."""
    from scipy import special  # noqa: PLC0415 - see the module's note

    return float(special.ndtri(q))


def normal_sf(x: float) -> float:
    """1 − Φ(x), the standard normal upper tail (``scipy.stats.norm.sf``): 1.96 → 0.0249978951482204."""
    from scipy import special  # noqa: PLC0415 - see the module's note

    return float(special.ndtr(-x))


def t_quantile(q: float, df: float) -> float:
    """The quantile of Student's t with ``df`` degrees of freedom (``scipy.stats.t.ppf``): (0.975, 10) → 2.2281…"""
    from scipy import special  # noqa: PLC0415 - see the module's note

    return float(special.stdtrit(df, q))
