"""Conversation analysis: what the customer needs, how urgently, and what to watch for."""

from drafter.analysis.analyzer import ConversationAnalyzer, detect_language, sla_deadline

__all__ = ["ConversationAnalyzer", "detect_language", "sla_deadline"]
