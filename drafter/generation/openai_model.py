"""`OpenAIChatModel`: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp, DeepSeek, Qwen).

The only module that imports `openai`; its errors become `Unavailable`, so the service falls back
to the composer. Output is JSON validated by `DraftOutput`, with one retry on invalid output, all
within one deadline (`timeout_s`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from drafter.core.drafts import DraftContext, DraftOutput, channel_limit
from drafter.core.errors import Unavailable
from drafter.core.evaluation import Verdict
from drafter.core.settings import LLMSettings
from drafter.generation.prompts import PromptLibrary

log = logging.getLogger(__name__)
PASSAGE_CHARS = 1200
_TEXT = {"type": "string", "maxLength": 400}
LEAP_SLOTS = ("listen", "empathize", "apologize", "problem_solve", "extra", "question")
Parsed = TypeVar("Parsed", bound=BaseModel)
RETRY = "That was not valid JSON for the schema ({problem}). Answer again with the JSON only."
DRAFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reply": {"type": "string", "minLength": 1, "maxLength": 2000},
        "cited_ids": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 8},
        "leap": {
            "type": "object",
            "properties": dict.fromkeys(LEAP_SLOTS, _TEXT),
        },
        "commitments": {
            "type": "array",
            "maxItems": 8,
            "items": {
                "type": "object",
                "properties": {
                    "kind": {
                        "type": "string",
                        "enum": [
                            "refund",
                            "code",
                            "compensation",
                            "date",
                            "free_shipping",
                            "replacement",
                            "callback",
                            "escalation",
                            "other",
                        ],
                    },
                    "text": _TEXT,
                    "value": {"type": ["string", "null"], "maxLength": 80},
                },
                "required": ["kind", "text"],
            },
        },
    },
    "required": ["reply", "cited_ids"],
}


class ReplyStream:
    """Pulls the characters of the top-level "reply" string out of streaming JSON as they arrive."""

    def __init__(self) -> None:
        self._buffer = ""
        self._start: int | None = None
        self._emitted = 0
        self._done = False

    def feed(self, chunk: str) -> str:
        self._buffer += chunk
        if self._done:
            return ""
        if self._start is None:
            key = self._buffer.find('"reply"')
            colon = self._buffer.find(":", key) if key >= 0 else -1
            quote = self._buffer.find('"', colon) if colon >= 0 else -1
            if quote < 0:
                return ""
            self._start = quote + 1
        raw, end = self._raw_string(self._buffer[self._start :])
        self._done = end
        try:
            text = json.loads(f'"{raw}"')
        except json.JSONDecodeError:
            return ""
        out = text[self._emitted :]
        self._emitted = len(text)
        return str(out)

    @staticmethod
    def _raw_string(rest: str) -> tuple[str, bool]:
        """The JSON string body up to its closing quote (or what is complete so far)."""
        i = 0
        while i < len(rest):
            if rest[i] == "\\":
                if i + 1 >= len(rest) or (rest[i + 1] == "u" and i + 6 > len(rest)):
                    return rest[:i], False
                i += 6 if rest[i + 1] == "u" else 2
                continue
            if rest[i] == '"':
                return rest[:i], True
            i += 1
        return rest, False


async def _validated(client: openai.AsyncOpenAI, name: str, request: dict[str, Any], model: type[Parsed]) -> Parsed:
    """The completion parsed as `model`, asking once more when the output does not validate."""
    messages = list(request["messages"])
    for attempt in (1, 2):
        try:
            response = await client.chat.completions.create(**{**request, "messages": messages})
        except openai.APIError as exc:
            raise Unavailable(f"{name}: {type(exc).__name__}") from exc
        content = response.choices[0].message.content or ""
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            log.warning("model output does not validate", extra={"model": name, "attempt": attempt})
            problem = exc.errors()[0]["msg"] if exc.errors() else "invalid JSON"
            messages = [
                *messages,
                {"role": "assistant", "content": content[:4000]},
                {"role": "user", "content": RETRY.format(problem=problem)},
            ]
    raise Unavailable(f"{name} returned invalid JSON twice")


class _Endpoint:
    """An OpenAI-compatible endpoint with the prompts it renders; `close` in the event loop that used it."""

    def __init__(self, *, settings: LLMSettings, prompts: PromptLibrary) -> None:
        if not settings.base_url:
            raise ValueError("an OpenAI-compatible model needs settings.base_url")
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._client = openai.AsyncOpenAI(
            base_url=settings.base_url, api_key=key, timeout=settings.timeout_s, max_retries=settings.max_retries
        )
        self._settings = settings
        self._prompts = prompts

    async def close(self) -> None:
        await self._client.close()


class OpenAIChatModel(_Endpoint):
    """Talks to an OpenAI-compatible chat completions endpoint."""

    @property
    def name(self) -> str:
        return f"openai:{self._settings.model}"

    @property
    def prompt_version(self) -> str:
        return self._prompts.version("draft")

    def messages(self, context: DraftContext) -> list[dict[str, str]]:
        request, plan, analysis = context.request, context.plan, context.analysis
        system, user = self._prompts.render(
            "draft",
            shop_name=context.profile.shop.name,
            language=context.language,
            plan=plan.model_dump(mode="json"),
            reply_hours=context.profile.escalation.reply_promise_hours,
            channel=request.channel.value,
            max_chars=channel_limit(request.channel, context.language),
            tone=request.options.tone,
            instruction=context.instruction,
            messages=[m.model_dump(mode="json") for m in request.conversation],
            customer_name=request.customer.name if request.customer else None,
            tier=request.customer.tier if request.customer else None,
            orders=[{**o.model_dump(mode="json"), "value": str(o.value)} for o in request.orders],
            intent=analysis.intent.value,
            sentiment=analysis.sentiment,
            missing=analysis.missing_information,
            passages=[
                {
                    "entry_id": p.entry_id,
                    "version": p.version,
                    "kind": p.kind.value,
                    "text": (p.body or p.snippet)[:PASSAGE_CHARS],
                }
                for p in context.passages
            ],
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _request(self, messages: list[dict[str, str]], *, stream: bool) -> dict[str, Any]:
        return {
            "model": self._settings.model,
            "messages": messages,
            "temperature": 0.3,
            "max_tokens": 900,
            "stream": stream,
            "response_format": {"type": "json_schema", "json_schema": {"name": "draft", "schema": DRAFT_SCHEMA}},
        }

    async def complete(self, context: DraftContext) -> DraftOutput:
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                return await self._complete(self.messages(context))
        except TimeoutError as exc:
            raise Unavailable(f"{self.name} did not answer within {self._settings.timeout_s} s") from exc

    async def _complete(self, messages: list[dict[str, str]]) -> DraftOutput:
        return await _validated(self._client, self.name, self._request(messages, stream=False), DraftOutput)

    async def stream(self, context: DraftContext) -> AsyncIterator[str | DraftOutput]:
        extractor = ReplyStream()
        content = ""
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                chunks = await self._client.chat.completions.create(
                    **self._request(self.messages(context), stream=True)
                )
                async for chunk in chunks:
                    delta = chunk.choices[0].delta.content if chunk.choices else None
                    if delta:
                        content += delta
                        if text := extractor.feed(delta):
                            yield text
        except TimeoutError as exc:
            raise Unavailable(f"{self.name} did not finish within {self._settings.timeout_s} s") from exc
        except openai.APIError as exc:
            raise Unavailable(f"{self.name}: {type(exc).__name__}") from exc
        try:
            yield DraftOutput.model_validate_json(content)
        except ValidationError as exc:
            raise Unavailable(f"{self.name} streamed invalid JSON") from exc


JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"rating": {"type": "integer", "minimum": 1, "maximum": 5}, "reason": {"type": "string"}},
    "required": ["rating", "reason"],
}


class OpenAIJudge(_Endpoint):
    """Grades a reply 1-5 with the `judge` rubric prompt, through the same kind of endpoint that drafts."""

    @property
    def name(self) -> str:
        return f"openai:{self._settings.model}:{self._prompts.version('judge')}"

    def messages(self, context: DraftContext, reply: str, reference: str | None) -> list[dict[str, str]]:
        request, plan = context.request, context.plan
        system, user = self._prompts.render(
            "judge",
            channel=request.channel.value,
            max_chars=channel_limit(request.channel, context.language),
            language=context.language,
            customer_name=request.customer.name if request.customer else None,
            tier=request.customer.tier if request.customer else None,
            intent=context.analysis.intent.value,
            orders=[{**o.model_dump(mode="json"), "value": str(o.value)} for o in request.orders],
            allowed_codes=plan.allowed_codes,
            max_refund_cny=str(plan.max_refund_cny),
            must_not_promise=plan.must_not_promise,
            escalate_to=plan.escalate_to,
            messages=[m.model_dump(mode="json") for m in request.conversation],
            passages=[
                {"entry_id": p.entry_id, "text": (p.body or p.snippet)[:PASSAGE_CHARS]} for p in context.passages
            ],
            reply=reply,
            reference=reference,
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def grade(self, context: DraftContext, reply: str, reference: str | None = None) -> Verdict:
        """The verdict on `reply`.

        Raises:
            Unavailable: the endpoint failed, timed out or answered invalid JSON twice.
        """
        request = {
            "model": self._settings.model,
            "messages": self.messages(context, reply, reference),
            "temperature": 0.0,
            "max_tokens": 300,
            "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "schema": JUDGE_SCHEMA}},
        }
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                return await _validated(self._client, self.name, request, Verdict)
        except TimeoutError as exc:
            raise Unavailable(f"{self.name} did not answer within {self._settings.timeout_s} s") from exc
