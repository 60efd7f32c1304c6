"""The demo project: a realistic evaluation project built by a seeded generator (``evalkit demo``).

:func:`generate` builds a real project folder (what ``evalkit init DIR --framework
province-2018`` makes) and fills it:

* the province framework, the shipped instruments and the unit list — the 95 Jilin City units
  of 吉市办发〔2018〕15号 第六条 in their five categories, or, at province scale
  (``units=150``), those plus synthesised county-level units (``units``);
* ``evalkit.toml`` with the as-of date and the evaluation period (``units``);
* frames (``frames/事项清单.xlsx``, ``frames/办件记录.xlsx``), seeded draws made with the
  sampling API (the service users phoned back and the items checked online come from these
  draws), ``assessors.xlsx`` and a 双随机 assignment: every record of a unit is made by one of
  its two assigned assessors (``frames``);
* ``adjustments.xlsx`` with a few events and the lead evaluator's scores of the manual bonus
  leaf 3.1 (``adjustments``);
* raw records of every instrument (``raw/``, the very file format of :class:`evalkit.store.Store`),
  generated from a latent quality per unit and per aspect, so that good units answer well and
  weak ones badly; most records are approved, a few are left 已接收 or flagged 有问题
  (``records``, with the answers in ``answers_onsite`` and ``answers_public``);
* ``selfassess/``: every unit's self-assessment, written and imported through
  :mod:`evalkit.selfassess` (``selfassessments``);
* ``README.md``: what the project holds and every problem ``evalkit rerun`` reports on it, each
  with its deliberate cause — the one list of them, read back by :func:`listed_problems` (``readme``).

Deliberate problems the checks must catch (listed in :class:`DemoSummary`): a duplicate
submission, an out-of-range value written raw (connected calls above calls made, as an old
import might write it), an expert rater far from the others, and a self-report outside the
interval of the sampled rate.

Determinism: every random choice comes from ``random.Random(seed)`` in :class:`~.state.DemoState`
(the draws and the assignment from numpy generators seeded from it); record and revision ids are
derived from the seed and a counter (``writer``); times are derived from the evaluation period.
The same seed gives byte-identical files.  ``fast=True`` skips fsync (bulk generation) and answer
validation but writes the same bytes.

The modules, bottom to top: ``settings``, ``texts``, ``summary``, ``writer``, ``chance``,
``state``, ``units``, ``frames``, ``adjustments``, ``answers_onsite``, ``answers_public``,
``records``, ``selfassessments``, ``readme``, ``build`` (:func:`generate`).
"""

from evalkit.pipeline.demo.build import generate
from evalkit.pipeline.demo.readme import README as DEMO_README
from evalkit.pipeline.demo.readme import Listed, listed_problems
from evalkit.pipeline.demo.settings import INSTRUMENTS
from evalkit.pipeline.demo.summary import DemoError, DemoProblem, DemoSummary

__all__ = ["DEMO_README", "INSTRUMENTS", "DemoError", "DemoProblem", "DemoSummary", "Listed", "generate",
           "listed_problems"]
