"""``readiness.__all__`` is exactly the public API: a guard against accidental exports."""

import readiness


def test_all_is_sorted_and_complete():
    public = {name for name in dir(readiness) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(readiness, name)).__name__ == "module"}
    assert set(readiness.__all__) - {"__version__"} == public - modules
    assert list(readiness.__all__) == sorted(readiness.__all__)


def test_every_export_has_a_docstring():
    for name in readiness.__all__:
        if name != "__version__":
            assert getattr(readiness, name).__doc__, name


def test_a_function_named_like_its_module_stays_the_function():
    import subprocess
    import sys

    # readiness.compare is a function and a module; whichever loads first, the name
    # on the package is the function
    code = (
        "import readiness.report.markdown, readiness; "
        "import readiness.compare as m; "
        "print(callable(readiness.compare), type(readiness.compare).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "function"]


def test_plan_and_robustness_stay_functions_once_their_modules_load():
    import subprocess
    import sys

    code = (
        "import readiness, readiness.plan, readiness.robustness.uncertainty; "
        "from readiness.robustness import Robustness; "
        "print(type(readiness.plan).__name__, type(readiness.robustness).__name__, "
        "readiness.robustness.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["function", "function", "readiness.robustness"]


def test_the_everyday_names_are_the_modules_own():
    from readiness.io.questionnaire import read_questionnaire
    from readiness.panel import load_panel
    from readiness.plan import plan
    from readiness.report import build_report
    from readiness.robustness import robustness

    assert readiness.plan is plan and readiness.robustness is robustness
    assert readiness.build_report is build_report and readiness.load_panel is load_panel
    assert readiness.read_questionnaire is read_questionnaire
