"""Figures: one course style, diagram functions that return Matplotlib figures, and the cache that
lets a kernel show a stored figure without importing Matplotlib (so this package imports nothing)."""
