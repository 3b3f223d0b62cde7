"""``readiness.__all__`` is exactly the public API: a guard against accidental exports."""

import readiness


def test_all_is_sorted_and_complete():
    public = {name for name in vars(readiness) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(readiness, name)).__name__ == "module"}
    assert set(readiness.__all__) - {"__version__"} == public - modules
    assert list(readiness.__all__) == sorted(readiness.__all__)


def test_every_export_has_a_docstring():
    for name in readiness.__all__:
        if name != "__version__":
            assert getattr(readiness, name).__doc__, name
