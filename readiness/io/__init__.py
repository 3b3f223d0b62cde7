"""Readers and writers of outside formats.

- :mod:`readiness.io.atop`: the ATOP alliance-level data (Leeds et al.), one row per
  alliance, into :class:`readiness.Partnership` objects or a feature table for
  :func:`readiness.derive_frame`.
- :mod:`readiness.io.template`: questionnaires of a rubric (xlsx, csv, json) for
  assessors to fill in; :mod:`readiness.io.questionnaire` reads them back, with every
  file held to the limits of :mod:`readiness._limits` (the cells of each format come
  from ``_cells``; an xlsx workbook is checked by ``_xlsx`` before openpyxl reads it).
"""
