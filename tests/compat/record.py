"""pytest plugin that records every partnership document validated by a test run.

Used to build the compatibility corpus from an old release (see README.md here)::

    RECORD_OUT=/tmp/docs.jsonl PYTHONPATH=tests/compat:OLD_CHECKOUT \\
        pytest -p record -k "not browser and not notebook" OLD_CHECKOUT/tests

Documents built by hypothesis tests are left out (thousands, and random); each
document is written once, as the test wrote it (before validation changed it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

_state = {"on": False}
_seen: set[str] = set()


def _keep(data: Any) -> None:
    if not _state["on"] or not isinstance(data, dict):
        return
    try:
        text = json.dumps(data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return
    if text not in _seen:
        _seen.add(text)
        with open(os.environ["RECORD_OUT"], "a", encoding="utf-8") as out:
            out.write(text + "\n")


def pytest_configure(config: pytest.Config) -> None:
    from readiness.partnership import Partnership

    validate = Partnership.model_validate.__func__  # type: ignore[attr-defined]

    def model_validate(cls: type, obj: Any, *args: Any, **kwargs: Any) -> Any:
        result = validate(cls, obj, *args, **kwargs)
        if cls is Partnership:
            _keep(obj)
        return result

    Partnership.model_validate = classmethod(model_validate)  # type: ignore[method-assign,assignment]
    init = Partnership.__init__

    def recorded_init(self: Any, **data: Any) -> None:
        init(self, **data)
        if type(self) is Partnership:
            _keep(data)

    Partnership.__init__ = recorded_init  # type: ignore[method-assign]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    _state["on"] = not getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    yield
    _state["on"] = False
