"""Drafting benchmark through HTTP: latency and drafts/s at 1 / 8 / 32 concurrent clients.

    .venv/bin/python bench/drafting.py            # composer, then an OpenAI-compatible server with a fixed delay

The service runs as its own process (`drafter serve`, one worker) on a temporary SQLite database
holding the demo shop; clients are asyncio + httpx in this process. For the LLM run, a scripted
OpenAI-compatible server answers every request after `--delay` seconds with a valid draft, so
"overhead" is the service's own time: the draft's total time minus the model call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.llm_servers import ScriptedReply, scripted_server  # noqa: E402 - the same scripted server the tests use

CONVERSATIONS = [
    ("en", "My order is 3 days late and still not here, this is so frustrating"),
    ("en", "Is the Calm Cica Barrier Cream suitable for sensitive skin?"),
    ("en", "The serum bottle arrived smashed. Photo attached."),
    ("en", "The cardigan is too expensive, can I get a discount?"),
    ("zh", "亲，开衫M码有点大，想换S码，可以吗？"),
    ("zh", "我的快递一周了还没到，怎么回事"),
    ("zh", "这款精华敏感肌能用吗？"),
    ("zh", "收到的唇釉颜色发错了"),
]
LLM_DRAFT = {
    "reply": "Hi, I'm so sorry your parcel is late. I'm checking with the carrier now. Reship or refund?",
    "cited_ids": [],
    "leap": {"question": "Reship or refund?"},
    "commitments": [{"kind": "callback", "text": "update within 2 hours", "value": None}],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def body(i: int) -> dict[str, Any]:
    _, text = CONVERSATIONS[i % len(CONVERSATIONS)]
    return {
        "conversation": [{"role": "customer", "text": f"{text} ({i})"}],
        "customer": {"name": "Emma", "tier": "silver", "order_count": 5},
        "orders": [{"id": f"LL{i:06d}", "total": "159", "status": "shipped", "carrier": "ZTO Express"}],
        "agent_name": "Mia",
    }


def prepare(folder: Path) -> tuple[dict[str, str], str]:
    """A demo shop in a fresh database, its indexes built; returns the environment and an agent key."""
    env = {
        **os.environ,  # noqa: TID251 - the child process inherits this environment
        "DRAFTER_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "DRAFTER_RETRIEVAL__INDEX_DIR": str(folder / "index"),
        "DRAFTER_VAR_DIR": str(folder / "var"),
        "DRAFTER_LOGGING__LEVEL": "WARNING",
    }
    drafter = [sys.executable, "-m", "drafter.cli.main"]
    subprocess.run([*drafter, "demo", "setup"], env=env, check=True, capture_output=True, cwd=ROOT)
    keys = json.loads((folder / "var" / "demo-keys.json").read_text())
    return env, keys["agent"]


@contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[str]:
    cmd = [sys.executable, "-m", "drafter.cli.main", "serve", "--port", str(port)]
    with subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            else:
                raise SystemExit("the service did not become ready")
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


async def load(base: str, key: str, clients: int, total: int) -> tuple[list[float], list[dict[str, Any]], float]:
    """`total` drafts from `clients` concurrent connections; latencies (ms), drafts, drafts/s."""
    latencies: list[float] = []
    drafts: list[dict[str, Any]] = []
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60, limits=limits
    ) as http:

        async def client() -> None:
            for i in counter:
                started = time.perf_counter()
                response = await http.post("/v1/drafts", json=body(i))
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                drafts.append(response.json())

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, drafts, total / elapsed


def report(label: str, base: str, key: str, totals: dict[int, int]) -> None:
    asyncio.run(load(base, key, 4, 40))  # warm-up: first queries, imports, caches
    for clients, total in totals.items():
        latencies, drafts, rate = asyncio.run(load(base, key, clients, total))
        timings = [d["trace"]["timings"] for d in drafts]
        overhead = [t["total_ms"] - t["generation_ms"] for t in timings]
        statuses = {s: sum(d["variants"][0]["status"] == s for d in drafts) for s in ("ok", "needs_review", "blocked")}
        numbers = [np.percentile(latencies, 50), np.percentile(latencies, 95), rate]
        numbers += [np.percentile(overhead, 50), np.percentile(overhead, 95)]
        cells = " ".join(f"{n:>8.1f}" for n in numbers)
        print(f"{label:9} {clients:>8} {total:>8} {cells}  {statuses}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Drafting benchmark")
    parser.add_argument("--delay", type=float, default=0.2, help="Seconds the scripted LLM takes per answer")
    args = parser.parse_args()
    totals = {1: 60, 8: 200, 32: 320}
    with tempfile.TemporaryDirectory() as tmp:
        env, key = prepare(Path(tmp))
        print("# drafting benchmark through HTTP, one uvicorn worker, 2 cores; times in ms")
        print("# overhead = draft total minus model call, measured inside the service (trace timings)")
        columns = ("clients", "drafts", "p50", "p95", "drafts/s", "ovh p50", "ovh p95")
        print(f"{'model':9} " + " ".join(f"{c:>8}" for c in columns) + "  statuses")
        with serving(env, free_port()) as base:
            report("composer", base, key, totals)
        reply = ScriptedReply.answer(LLM_DRAFT, delay_s=args.delay)
        with scripted_server(lambda _request: reply) as llm:
            llm_env = {
                **env,
                "DRAFTER_LLM__BASE_URL": llm.base_url,
                "DRAFTER_LLM__MODEL": "scripted",
                "DRAFTER_LLM__TIMEOUT_S": "10",
            }
            with serving(llm_env, free_port()) as base:
                report(f"llm {int(args.delay * 1000)}ms", base, key, totals)


if __name__ == "__main__":
    main()
