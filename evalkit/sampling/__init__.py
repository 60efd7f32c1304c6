"""Sampling: frames (事项清单, 办件记录), designs (SRS, systematic, stratified, PPS) and seeded,
recorded, verifiable draws, estimates with their intervals, fieldwork progress, and the
双随机 assignment of assessors to units and the reasons for recording a unit outside it.

May use: :mod:`evalkit.stats`, :mod:`evalkit.config`, :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.sampling.assign import Assessor, assign, make_assignment, read_assessors
from evalkit.sampling.designs import METHOD_ZH, METHODS, Design, SamplingError, inclusion_probabilities, sample_size
from evalkit.sampling.draws import (
    draw_sample,
    draw_to_dict,
    list_draws,
    make_draw,
    read_draw,
    verify_draw,
)
from evalkit.sampling.estimate import draw_estimate, estimate_proportion, export_sample_xlsx, fieldwork_status
from evalkit.sampling.fieldwork import record_contact, statuses
from evalkit.sampling.frames import column_problems, file_sha256, frame_from_table, read_frame, size_problems
from evalkit.sampling.teams import OffAssignment, latest_assignment, off_assignment_notes, record_off_assignment

__all__ = [
    "Assessor",
    "Design",
    "METHODS",
    "METHOD_ZH",
    "OffAssignment",
    "SamplingError",
    "assign",
    "column_problems",
    "draw_estimate",
    "draw_sample",
    "draw_to_dict",
    "estimate_proportion",
    "export_sample_xlsx",
    "fieldwork_status",
    "file_sha256",
    "frame_from_table",
    "inclusion_probabilities",
    "latest_assignment",
    "list_draws",
    "make_assignment",
    "make_draw",
    "off_assignment_notes",
    "read_assessors",
    "read_draw",
    "read_frame",
    "record_contact",
    "record_off_assignment",
    "sample_size",
    "size_problems",
    "statuses",
    "verify_draw",
]
