"""Shared pytest options.

``--snapshot-update`` makes the report snapshot tests (tests/report/test_snapshots.py)
rewrite tests/report/snapshots/ instead of comparing with it (``make snapshots``).
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="rewrite the report snapshots in tests/report/snapshots instead of comparing",
    )
