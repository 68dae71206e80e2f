"""SQLAlchemy models and shop-scoped repositories."""

from drafter.storage.database import Database
from drafter.storage.drafts import DraftRepository
from drafter.storage.embeddings import EmbeddingRepository
from drafter.storage.knowledge import EntryQuery, KnowledgeRepository
from drafter.storage.reviews import FollowUpRepository, ReviewRepository, SuggestionRepository
from drafter.storage.shops import ShopRepository

__all__ = [
    "Database",
    "DraftRepository",
    "EmbeddingRepository",
    "EntryQuery",
    "FollowUpRepository",
    "KnowledgeRepository",
    "ReviewRepository",
    "ShopRepository",
    "SuggestionRepository",
]
