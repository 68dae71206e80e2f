"""Scorers of a reply (a draft or a human agent's): each small, named, returning a value in [0, 1] and a reason."""

from drafter.scoring.candidate import Candidate, Scorer
from drafter.scoring.judge import JUDGE, Grader, LLMJudge
from drafter.scoring.rubric import ClosingQuestion, LeapCoverage
from drafter.scoring.similarity import TextEmbedder
from drafter.scoring.suite import CAMPAIGN, RUBRIC, RUBRIC_NAMES, ScoringSuite, overall

__all__ = [
    "CAMPAIGN",
    "JUDGE",
    "RUBRIC",
    "RUBRIC_NAMES",
    "Candidate",
    "ClosingQuestion",
    "Grader",
    "LLMJudge",
    "LeapCoverage",
    "Scorer",
    "ScoringSuite",
    "TextEmbedder",
    "overall",
]
