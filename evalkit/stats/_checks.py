"""Argument checks shared by the :mod:`evalkit.stats` modules.

Every check raises :class:`ValueError` with a Chinese message that names the
parameter (``边际误差 margin 必须大于 0 且小于 1，收到 0``), so callers can show
the message to the user unchanged.  The two-sided normal quantile
:func:`z_value` lives here because every module needs it.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from evalkit.stats.distributions import normal_quantile

#: Tolerance used before ``ceil`` so that 277.0000000001 (float noise) is 277.
CEIL_TOLERANCE = 1e-9


def is_real(value: object) -> bool:
    """True for a finite int or float (numpy scalars too), never a bool."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    return math.isfinite(float(value))


def is_int(value: object) -> bool:
    """True for an integral value (int, numpy integer), never a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def open_unit(value: object, name: str, label: str) -> float:
    """Check ``0 < value < 1`` and return it as float."""
    if not is_real(value) or not 0 < float(value) < 1:
        raise ValueError(f"{label} {name} 必须大于 0 且小于 1，收到 {value!r}")
    return float(value)


def check_confidence(confidence: object) -> float:
    """Validate a confidence level in (0, 1)."""
    return open_unit(confidence, "confidence", "置信水平")


def check_count(value: object, name: str, label: str, minimum: int = 0) -> int:
    """Check that ``value`` is an integer >= ``minimum``."""
    if not is_int(value) or int(value) < minimum:
        raise ValueError(f"{label} {name} 必须是不小于 {minimum} 的整数，收到 {value!r}")
    return int(value)


def check_xn(x: object, n: object) -> tuple[int, int]:
    """Validate a count of successes ``x`` out of ``n`` trials."""
    n = check_count(n, "n", "样本量", minimum=1)
    x = check_count(x, "x", "“是”的个数")
    if x > n:
        raise ValueError(f"“是”的个数 x 不能大于样本量 n，收到 x={x}，n={n}")
    return x, n


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile ``z`` for ``confidence`` (0.95 → 1.96)."""
    return _z(check_confidence(confidence))


@functools.lru_cache(maxsize=256)
def _z(confidence: float) -> float:
    """:func:`z_value` of a checked level, remembered: a province's scoring asks it for thousands of Wilson
    intervals at the same level."""
    return normal_quantile(1 - (1 - confidence) / 2)


def ceil_tolerant(value: float) -> int:
    """``ceil`` that ignores float noise below :data:`CEIL_TOLERANCE`."""
    return int(math.ceil(value - CEIL_TOLERANCE))
