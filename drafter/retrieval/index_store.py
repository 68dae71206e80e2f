"""Saves and loads a shop's vector index with a manifest; a file that does not match is never used."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.retrieval.vector_index import FaissIndex, IndexKind

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


class IndexManifest(BaseModel):
    """What a saved index was built from. Loaded only when every field matches expectations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    embedder: str
    dimension: int
    count: int
    revision: int
    kind: IndexKind
    index_file: str
    sha256: str
    saved_at: datetime


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IndexStore:
    """One folder per shop: `manifest.json` names the index file it vouches for.

    Saving writes a new index file, then atomically replaces the manifest; a crash at any point
    leaves either the old manifest with its old file, or the new one with its new file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, shop: str) -> Path:
        return self.root / shop

    def save(self, shop: str, index: FaissIndex, *, embedder: str, revision: int) -> IndexManifest:
        folder = self._dir(shop)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"vectors-{revision}-{uuid.uuid4().hex[:8]}.faiss"
        tmp = folder / (name + ".tmp")
        index.save(tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
        manifest = IndexManifest(
            embedder=embedder,
            dimension=index.dimension,
            count=len(index),
            revision=revision,
            kind=index.kind,
            index_file=name,
            sha256=_sha256(folder / name),
            saved_at=datetime.now(UTC),
        )
        tmp_manifest = folder / (MANIFEST + ".tmp")
        tmp_manifest.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        with tmp_manifest.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_manifest, folder / MANIFEST)
        _fsync_dir(folder)
        for stale in folder.glob("vectors-*"):
            if stale.name != name:
                stale.unlink(missing_ok=True)
        return manifest

    def load(
        self, shop: str, *, embedder: str, dimension: int, hnsw_threshold: int
    ) -> tuple[FaissIndex, IndexManifest] | None:
        """The saved index if it matches this embedder and is intact; None means rebuild."""
        folder = self._dir(shop)
        try:
            manifest = IndexManifest.model_validate(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (ValueError, ValidationError):
            log.warning("index manifest unreadable; rebuilding", extra={"shop": shop})
            return None
        reason = self._mismatch(folder, manifest, embedder=embedder, dimension=dimension)
        if reason is None:
            try:
                index = FaissIndex.load(
                    folder / manifest.index_file, dimension=dimension, hnsw_threshold=hnsw_threshold
                )
            except (RuntimeError, ValueError) as exc:
                reason = f"unreadable index file ({type(exc).__name__})"
            else:
                if len(index) == manifest.count:
                    return index, manifest
                reason = f"count {len(index)} differs from manifest {manifest.count}"
        log.warning("saved index not used; rebuilding", extra={"shop": shop, "reason": reason})
        return None

    @staticmethod
    def _mismatch(folder: Path, manifest: IndexManifest, *, embedder: str, dimension: int) -> str | None:
        if manifest.embedder != embedder:
            return f"embedder {manifest.embedder} != {embedder}"
        if manifest.dimension != dimension:
            return f"dimension {manifest.dimension} != {dimension}"
        path = folder / manifest.index_file
        if not path.exists():
            return "index file missing"
        if _sha256(path) != manifest.sha256:
            return "index file checksum mismatch"
        return None
