"""SQLAlchemy models and shop-scoped repositories."""

from drafter.storage.database import Database
from drafter.storage.embeddings import EmbeddingRepository
from drafter.storage.knowledge import EntryQuery, KnowledgeRepository
from drafter.storage.shops import ShopRepository

__all__ = ["Database", "EmbeddingRepository", "EntryQuery", "KnowledgeRepository", "ShopRepository"]
