"""SQLAlchemy models and shop-scoped repositories."""

from drafter.storage.campaigns import CampaignRepository
from drafter.storage.database import Database
from drafter.storage.drafts import DraftRepository
from drafter.storage.embeddings import EmbeddingRepository
from drafter.storage.knowledge import EntryQuery, KnowledgeRepository
from drafter.storage.reviews import FollowUpRepository, ReviewRepository, SuggestionRepository
from drafter.storage.shops import ShopRepository

__all__ = [
    "CampaignRepository",
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
