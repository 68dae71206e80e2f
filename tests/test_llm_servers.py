"""The test servers of `tests.llm_servers`, driven through the `openai` client as the application will drive them."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from tests.llm_servers import SMOLLM_MODEL_NAME, ScriptedReply, in_order, llama_server, scripted_server

MESSAGES: list[Any] = [
    {"role": "system", "content": "You draft replies for a shop's customer-service agents."},
    {"role": "user", "content": "Where is my order 1234?"},
]
DRAFT = {"reply": "It ships today.", "cited_ids": ["kb-1", "kb-7"]}


def _client(base_url: str, *, timeout: float = 30.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="test", max_retries=0, timeout=timeout)


def _stream_text(client: openai.OpenAI, model: str, **extra: Any) -> tuple[str, list[Any]]:
    chunks = list(
        client.chat.completions.create(
            model=model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **extra
        )
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    return text, chunks


# --------------------------------------------------------------------------------------------------------------------
# scripted_server
# --------------------------------------------------------------------------------------------------------------------


def test_scripted_completion_answers_the_scripted_content_and_records_the_request() -> None:
    with scripted_server(lambda _request: ScriptedReply.answer(DRAFT)) as server, _client(server.base_url) as client:
        completion = client.chat.completions.create(model="drafter-test", messages=MESSAGES, temperature=0.2)

    assert json.loads(completion.choices[0].message.content or "") == DRAFT
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "drafter-test"
    assert completion.usage is not None
    assert completion.usage.completion_tokens > 0
    [request] = server.requests
    assert request["messages"] == MESSAGES
    assert request["temperature"] == 0.2


def test_scripted_stream_yields_the_content_in_chunks_then_usage() -> None:
    content = json.dumps(DRAFT)
    with scripted_server(lambda _request: ScriptedReply(content=content)) as server, _client(server.base_url) as client:
        text, chunks = _stream_text(client, "drafter-test")

    assert text == content
    assert len(chunks) > 3
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "stop"
    assert chunks[-1].usage is not None
    assert server.requests[0]["stream"] is True


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(500, openai.InternalServerError), (429, openai.RateLimitError), (400, openai.BadRequestError)],
)
def test_scripted_error_status_raises_the_matching_openai_error(status: int, error_type: type[Exception]) -> None:
    with scripted_server(lambda _request: ScriptedReply.error(status, "model exploded")) as server:
        with _client(server.base_url) as client, pytest.raises(error_type, match="model exploded"):
            client.chat.completions.create(model="drafter-test", messages=MESSAGES)
        with _client(server.base_url) as client, pytest.raises(error_type):
            _stream_text(client, "drafter-test")


def test_scripted_delay_beyond_the_client_timeout_raises_a_timeout_and_does_not_hold_up_shutdown() -> None:
    threads_before = threading.active_count()
    with scripted_server(lambda _request: ScriptedReply.hang(30.0)) as server:
        with _client(server.base_url, timeout=0.5) as client, pytest.raises(openai.APITimeoutError):
            client.chat.completions.create(model="drafter-test", messages=MESSAGES)
        exit_started = time.monotonic()
    assert time.monotonic() - exit_started < 1.0
    assert threading.active_count() == threads_before


def test_scripted_delay_within_the_client_timeout_still_answers() -> None:
    reply = ScriptedReply.answer(DRAFT, delay_s=0.2)
    with scripted_server(lambda _request: reply) as server, _client(server.base_url, timeout=5.0) as client:
        started = time.monotonic()
        completion = client.chat.completions.create(model="drafter-test", messages=MESSAGES)
    assert time.monotonic() - started >= 0.2
    assert json.loads(completion.choices[0].message.content or "") == DRAFT


def test_scripted_broken_content_reaches_the_client_verbatim() -> None:
    reply = ScriptedReply.broken()
    with scripted_server(lambda _request: reply) as server, _client(server.base_url) as client:
        completion = client.chat.completions.create(model="drafter-test", messages=MESSAGES)
        streamed, _ = _stream_text(client, "drafter-test")
    assert completion.choices[0].message.content == reply.content == streamed
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.content)


def test_in_order_gives_one_reply_per_request_and_a_request_too_many_fails_at_exit() -> None:
    script = in_order(ScriptedReply.error(503), ScriptedReply.answer(DRAFT))
    requests: list[dict[str, Any]] = []

    def three_requests() -> None:
        with scripted_server(script) as server, _client(server.base_url) as client:
            with pytest.raises(openai.InternalServerError):
                client.chat.completions.create(model="drafter-test", messages=MESSAGES)
            completion = client.chat.completions.create(model="drafter-test", messages=MESSAGES)
            assert json.loads(completion.choices[0].message.content or "") == DRAFT
            with pytest.raises(openai.InternalServerError, match="script raised"):
                client.chat.completions.create(model="drafter-test", messages=MESSAGES)
            requests[:] = server.requests

    with pytest.raises(AssertionError, match="more requests than the 2 scripted replies"):
        three_requests()
    assert len(requests) == 3


def test_scripted_server_lists_a_model_and_rejects_unknown_routes() -> None:
    with scripted_server(lambda _request: ScriptedReply()) as server, _client(server.base_url) as client:
        assert [model.id for model in client.models.list()] == ["scripted-model"]
        with pytest.raises(openai.NotFoundError):
            client.embeddings.create(model="scripted-model", input="hello")
    assert server.requests == []


@pytest.mark.parametrize("kwargs", [{"status": 302}, {"status": 99}, {"delay_s": -1.0}])
def test_scripted_reply_rejects_impossible_instructions(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"status|delay_s"):
        ScriptedReply(**kwargs)


# --------------------------------------------------------------------------------------------------------------------
# llama_server: a real llama.cpp server. SmolLM2-135M talks nonsense, so these check the plumbing only.
# --------------------------------------------------------------------------------------------------------------------

DRAFT_SCHEMA = {  # tight bounds so that an answer fits in max_tokens=32 and stays parseable
    "type": "object",
    "properties": {
        "reply": {"type": "string", "maxLength": 16},
        "cited_ids": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 2},
    },
    "required": ["reply", "cited_ids"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    """One server for the module's tests (starting one takes ~0.5 s); checks on teardown that it is really gone."""
    with llama_server() as url:
        yield url
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.URLError):
        direct.open(f"{url.removesuffix('/v1')}/health", timeout=5).close()


@pytest.fixture
def llama(llama_url: str) -> Iterator[openai.OpenAI]:
    with _client(llama_url) as client:
        yield client


@pytest.mark.llm
class TestLlamaServer:
    def test_chat_completion(self, llama: openai.OpenAI) -> None:
        completion = llama.chat.completions.create(model=SMOLLM_MODEL_NAME, messages=MESSAGES, max_tokens=16)

        assert completion.model == SMOLLM_MODEL_NAME
        assert completion.choices[0].message.content
        assert completion.choices[0].finish_reason in {"stop", "length"}
        assert completion.usage is not None
        assert 0 < completion.usage.completion_tokens <= 16

    def test_streamed_chat_completion_ends_with_usage(self, llama: openai.OpenAI) -> None:
        text, chunks = _stream_text(llama, SMOLLM_MODEL_NAME, max_tokens=16)

        assert text
        assert chunks[-1].usage is not None
        assert 0 < chunks[-1].usage.completion_tokens <= 16

    def test_json_schema_response_format_gives_parseable_json(self, llama: openai.OpenAI) -> None:
        completion = llama.chat.completions.create(
            model=SMOLLM_MODEL_NAME,
            messages=MESSAGES,
            max_tokens=32,
            temperature=0.0,
            response_format={"type": "json_schema", "json_schema": {"name": "draft", "schema": DRAFT_SCHEMA}},
        )

        draft = json.loads(completion.choices[0].message.content or "")
        assert isinstance(draft["reply"], str)
        assert all(isinstance(cited, str) for cited in draft["cited_ids"])
