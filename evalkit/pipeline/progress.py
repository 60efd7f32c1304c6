"""Progress of a long run, reported through a callback: the library says where it is, the caller draws.

A run calls ``progress(Step(...))`` when a stage begins and, inside a long stage, with a count of
what is done.  The command line draws the steps as a bar (tqdm); a notebook or a page may show
them however it likes; without a callback nothing is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """Stage ``stage`` of ``stages`` (1-based), with ``done`` of ``total`` inside it when known."""

    stage: int
    stages: int
    label: str
    done: int | None = None
    total: int | None = None


Progress = Callable[[Step], None]


def silent(step: Step) -> None:
    """The callback that reports nothing."""


class Stages:
    """Numbers the stages of one run and passes each step to the callback."""

    def __init__(self, stages: int, progress: Progress | None = None) -> None:
        self.stages, self.progress = stages, progress or silent
        self.stage, self.label = 0, ""

    def begin(self, label: str) -> None:
        self.stage += 1
        self.label = label
        self.progress(Step(self.stage, self.stages, label))

    def count(self, done: int, total: int) -> None:
        self.progress(Step(self.stage, self.stages, self.label, done, total))
