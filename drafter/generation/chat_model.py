"""The `ChatModel` seam: anything that turns a draft context into a reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from drafter.core.drafts import DraftContext, DraftOutput


class ChatModel(Protocol):
    """Writes one draft variant. Implementations never invent policy: the plan bounds what they offer."""

    @property
    def name(self) -> str:
        """Model id recorded in each draft's trace."""

    async def complete(self, context: DraftContext) -> DraftOutput:
        """The whole draft (reply, cited ids, LEAP segments, commitments).

        Raises:
            Unavailable: the model could not answer (the caller falls back to the composer).
        """

    def stream(self, context: DraftContext) -> AsyncIterator[str | DraftOutput]:
        """Reply text deltas as they are written, then the complete `DraftOutput` last."""
