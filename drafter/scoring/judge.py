"""The optional LLM judge: a model grades the reply 1-5 with the rubric prompt (`prompts/judge.*.jinja`)."""

from __future__ import annotations

import logging
from typing import Protocol

from drafter.core.drafts import DraftContext
from drafter.core.errors import Unavailable
from drafter.core.evaluation import Score, Verdict
from drafter.scoring.candidate import Candidate

log = logging.getLogger(__name__)
JUDGE = "judge"


class Grader(Protocol):
    """A model that grades replies (`OpenAIJudge`)."""

    @property
    def name(self) -> str:
        """Model and prompt version, recorded in the run's config."""

    async def grade(self, context: DraftContext, reply: str, reference: str | None = None) -> Verdict:
        """A 1-5 rating with the reason.

        Raises:
            Unavailable: no verdict (the endpoint failed or answered invalid JSON twice).
        """

    async def close(self) -> None:
        """Release the client (in the event loop that used it)."""


class LLMJudge:
    """The `judge` score: (rating - 1) / 4, or not applicable when the model gave no verdict."""

    def __init__(self, grader: Grader) -> None:
        self._grader = grader

    @property
    def name(self) -> str:
        return self._grader.name

    async def judge(self, candidate: Candidate) -> Score:
        reference = candidate.case.reference if candidate.case else None
        try:
            verdict = await self._grader.grade(candidate.context, candidate.reply, reference)
        except Unavailable as exc:
            log.warning("judge gave no verdict", extra={"model": self._grader.name, "error": type(exc).__name__})
            return Score(name=JUDGE, value=None, reason=f"no verdict: {exc}")
        return Score(name=JUDGE, value=(verdict.rating - 1) / 4, reason=f"{verdict.rating}/5: {verdict.reason}")

    async def close(self) -> None:
        await self._grader.close()
