"""Confide: a private, voice-first trust journal. This package is the composition root."""

__version__ = "0.1.0"
