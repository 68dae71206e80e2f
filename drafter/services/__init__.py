"""Use cases: knowledge and access (drafting and reviews join later)."""

from drafter.services.access import AccessService
from drafter.services.knowledge import KnowledgeIndex, KnowledgeService

__all__ = ["AccessService", "KnowledgeIndex", "KnowledgeService"]
