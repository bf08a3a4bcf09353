"""Lineage Explorer's core: records, store, graph and analyses. Pure Python, no Qt."""

__version__ = "0.1.0"
