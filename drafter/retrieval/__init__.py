"""Hybrid dense + lexical retrieval over a shop's knowledge."""

from drafter.retrieval.embedder import Embedder, SentenceTransformerEmbedder
from drafter.retrieval.index_store import IndexManifest, IndexStore
from drafter.retrieval.retriever import RetrievalStats, Retriever
from drafter.retrieval.tokenizer import Tokenizer
from drafter.retrieval.vector_index import FaissIndex, VectorIndex

__all__ = [
    "Embedder",
    "FaissIndex",
    "IndexManifest",
    "IndexStore",
    "RetrievalStats",
    "Retriever",
    "SentenceTransformerEmbedder",
    "Tokenizer",
    "VectorIndex",
]
