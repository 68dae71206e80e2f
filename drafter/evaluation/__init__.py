"""Offline evaluation: labelled datasets, metrics and reports."""
