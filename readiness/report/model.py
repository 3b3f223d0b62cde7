"""The report model of one assessment (moved to :mod:`readiness.readout`, which sits
below :class:`~readiness.Assessment` so that ``Assessment.to_document()`` can build it;
these names stay importable from here)."""

from readiness.readout import (
    SCHEMA_VERSION,
    BandRow,
    CriterionRow,
    EvidenceRow,
    GapRow,
    GateRow,
    PillarRow,
    Report,
    StepRow,
    build_report,
    json_ready,
    report_from_gaps,
    report_json_schema,
)

__all__ = [
    "SCHEMA_VERSION",
    "BandRow",
    "CriterionRow",
    "EvidenceRow",
    "GapRow",
    "GateRow",
    "PillarRow",
    "Report",
    "StepRow",
    "build_report",
    "json_ready",
    "report_from_gaps",
    "report_json_schema",
]
