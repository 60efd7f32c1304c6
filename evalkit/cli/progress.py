"""The progress bar of long commands: pipeline steps (:mod:`evalkit.pipeline.progress`) drawn with tqdm."""

from __future__ import annotations

import sys

from tqdm import tqdm

from evalkit.pipeline import Step


class Bar:
    """A callback drawing each step as one tqdm bar on ``stream`` (stderr); silent unless ``enabled``.

    The command line enables it only when stderr is a terminal and ``--quiet`` is not given, so
    scripts and logs never see control characters.
    """

    def __init__(self, *, enabled: bool, stream=None) -> None:
        self.enabled, self.stream = enabled, stream or sys.stderr
        self.bar: tqdm | None = None

    def __call__(self, step: Step) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=step.stages, file=self.stream, leave=False, dynamic_ncols=True,
                            bar_format="{l_bar}{bar}| {elapsed}")
        inside = step.done / step.total if step.total else 0.0
        self.bar.n = step.stage - 1 + min(inside, 1.0)
        counted = f" {step.done}/{step.total}" if step.total else ""
        self.bar.set_description_str(f"{step.stage}/{step.stages} {step.label}{counted}", refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
