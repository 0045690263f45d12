"""Thin adapters that move cells between files or live Excel and the core's `Book`."""
