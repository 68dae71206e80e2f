"""A saved index is used only when its manifest matches; a crash mid-save never yields a wrong index."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from drafter.retrieval.index_store import MANIFEST, IndexStore
from drafter.retrieval.vector_index import FaissIndex

DIM = 16


def saved(tmp_path: Path, count: int = 20) -> IndexStore:
    index = FaissIndex(DIM)
    vectors = np.random.default_rng(1).normal(size=(count, DIM)).astype(np.float32)
    index.add(np.arange(count), vectors)
    store = IndexStore(tmp_path)
    store.save("shop", index, embedder="emb", revision=7)
    return store


def load(store: IndexStore, embedder: str = "emb", dimension: int = DIM) -> object:
    return store.load("shop", embedder=embedder, dimension=dimension, hnsw_threshold=1000)


def test_matching_manifest_loads(tmp_path: Path) -> None:
    loaded = load(saved(tmp_path))
    assert loaded is not None
    index, manifest = loaded  # type: ignore[misc]
    assert len(index) == 20
    assert (manifest.revision, manifest.count, manifest.embedder) == (7, 20, "emb")


def test_nothing_saved_is_none(tmp_path: Path) -> None:
    assert load(IndexStore(tmp_path)) is None


@pytest.mark.parametrize(
    "spoil",
    ["embedder", "dimension", "checksum", "missing-file", "bad-json", "count"],
)
def test_any_mismatch_means_rebuild(tmp_path: Path, spoil: str) -> None:
    store = saved(tmp_path)
    folder = tmp_path / "shop"
    manifest = json.loads((folder / MANIFEST).read_text())
    index_file = folder / manifest["index_file"]
    embedder, dimension = "emb", DIM
    if spoil == "embedder":
        embedder = "other-model"
    elif spoil == "dimension":
        dimension = DIM * 2
    elif spoil == "checksum":
        index_file.write_bytes(index_file.read_bytes()[:-8] + b"garbage!")
    elif spoil == "missing-file":
        index_file.unlink()
    elif spoil == "bad-json":
        (folder / MANIFEST).write_text("{not json")
    elif spoil == "count":
        manifest["count"] = 21
        (folder / MANIFEST).write_text(json.dumps(manifest))
    assert load(store, embedder=embedder, dimension=dimension) is None


def test_save_replaces_old_files(tmp_path: Path) -> None:
    store = saved(tmp_path)
    saved(tmp_path, count=30)
    assert len(list((tmp_path / "shop").glob("vectors-*"))) == 1
    loaded = load(store)
    assert loaded is not None
    assert len(loaded[0]) == 30  # type: ignore[index]


SAVER = """
import sys, numpy as np
from pathlib import Path
from drafter.retrieval.index_store import IndexStore
from drafter.retrieval.vector_index import FaissIndex
store = IndexStore(Path(sys.argv[1]))
rng = np.random.default_rng(0)
revision = 0
print("ready", flush=True)
while True:
    revision += 1
    count = 2000 + revision
    index = FaissIndex(64)
    index.add(np.arange(count), rng.normal(size=(count, 64)).astype(np.float32))
    store.save("shop", index, embedder="emb", revision=revision)
"""


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31, 0.52])
def test_killed_while_saving_leaves_a_consistent_index_or_none(tmp_path: Path, delay: float) -> None:
    with subprocess.Popen([sys.executable, "-c", SAVER, str(tmp_path)], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    loaded = IndexStore(tmp_path).load("shop", embedder="emb", dimension=64, hnsw_threshold=10**6)
    if loaded is None:
        assert not (tmp_path / "shop" / MANIFEST).exists()
        return
    index, manifest = loaded
    assert len(index) == manifest.count == 2000 + manifest.revision
