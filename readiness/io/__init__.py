"""Readers of public data sets into partnerships and feature tables.

- :mod:`readiness.io.atop`: the ATOP alliance-level data (Leeds et al.), one row per
  alliance, into :class:`readiness.Partnership` objects or a feature table for
  :func:`readiness.derive_frame`.
"""
