"""Micro-batching of concurrent query embeddings in one worker thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future

import numpy as np

from drafter.retrieval.embedder import Embedder

log = logging.getLogger(__name__)


class QueryBatcher:
    """Collects queries for up to `window_s` (or `max_batch` of them) and embeds them in one call.

    32 agents asking at once cost one or two model calls instead of 32.
    """

    def __init__(self, embedder: Embedder, *, window_s: float = 0.002, max_batch: int = 32) -> None:
        self._embedder = embedder
        self._window_s = window_s
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0

    def submit(self, text: str) -> Future[np.ndarray]:
        """Queue one query; the future resolves to its vector."""
        self._ensure_started()
        future: Future[np.ndarray] = Future()
        self._queue.put((text, future))
        return future

    def embed(self, text: str) -> np.ndarray:
        return self.submit(text).result()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="query-batcher", daemon=True)
                self._thread.start()

    def _collect(self, first: tuple[str, Future[np.ndarray]]) -> tuple[list[tuple[str, Future[np.ndarray]]], bool]:
        batch = [first]
        deadline = time.monotonic() + self._window_s
        while len(batch) < self._max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._collect(first)
            try:
                vectors = self._embedder.embed_queries([text for text, _ in batch])
            except Exception as exc:
                log.exception("query embedding failed", extra={"batch": len(batch)})
                for _, future in batch:
                    future.set_exception(exc)
            else:
                for (_, future), vector in zip(batch, vectors, strict=True):
                    future.set_result(vector)
            self.batches += 1
            if stop:
                return
