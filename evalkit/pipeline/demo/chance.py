"""Seeded chance, the stuff the demo's answers are made of: a yes with a probability, a yes / partly
/ no or a rubric level around a latent quality, a binomial count, a person's name.  Every function
takes the generator's ``random.Random``; the same seed, the same answers."""

from __future__ import annotations

import random

from evalkit.pipeline.demo.texts import GIVEN, SURNAMES


def clip(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return low if x < low else high if x > high else x


def yn(rng: random.Random, p: float) -> str:
    return "yes" if rng.random() < p else "no"


def ynp(rng: random.Random, q: float) -> str:
    x = q + rng.gauss(0, 0.12)
    return "yes" if x > 0.62 else "partly" if x > 0.35 else "no"


def level(rng: random.Random, q: float, sd: float = 0.1) -> str:
    x = q + rng.gauss(0, sd)
    return "full" if x >= 0.8 else "basic" if x >= 0.58 else "partial" if x >= 0.35 else "none"


def binom(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
