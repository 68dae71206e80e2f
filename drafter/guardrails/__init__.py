"""Deterministic checks on a draft: citations, commitments, tone, personal data, platform rules, language, length."""

from drafter.guardrails.checks import Guardrail
from drafter.guardrails.runner import DEFAULT_CHECKS, Guardrails

__all__ = ["DEFAULT_CHECKS", "Guardrail", "Guardrails"]
