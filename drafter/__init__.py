"""Drafter: grounded, policy-checked reply drafts for e-commerce customer-service agents."""

__version__ = "0.1.0"
