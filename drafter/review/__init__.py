"""What happens after a draft: edit analysis, promises, voice-of-customer routing, scrubbing for suggestions."""

from drafter.review.edits import EditAnalysis, EditClass, analyse_edit
from drafter.review.promises import Promise, extract_promises
from drafter.review.scrub import scrub, scrub_for
from drafter.review.voc import Department, VocTag, route

__all__ = [
    "Department",
    "EditAnalysis",
    "EditClass",
    "Promise",
    "VocTag",
    "analyse_edit",
    "extract_promises",
    "route",
    "scrub",
    "scrub_for",
]
