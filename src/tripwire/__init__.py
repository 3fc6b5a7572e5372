"""Tripwire: watch declared red lines in a conflict theatre and say, with evidence, whether one was crossed."""

__version__ = "0.1.0"
