"""Reviewer: review, publish and rate the articles of a Markdown content folder."""

__version__ = "0.1.0"
