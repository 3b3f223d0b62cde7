"""examples/analyst.ipynb runs top to bottom without an error, in the venv's Python."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from tests.factories import ROOT

NOTEBOOK = ROOT / "examples" / "analyst.ipynb"

pytestmark = pytest.mark.notebook


def test_committed_notebook_has_no_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "the notebook has code cells"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None


def _ensure_kernelspec() -> None:
    """Install the ``python3`` kernelspec into the venv when Jupyter cannot find one."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--sys-prefix"],
            check=True,
            capture_output=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def executed() -> Any:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    _ensure_kernelspec()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # one more cell (in memory only) to check which Python the kernel runs
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def code_cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code"]


def html_outputs(cell: Any) -> list[str]:
    return [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]


def cell_with(nb: Any, text: str) -> Any:
    return next(c for c in code_cells(nb) if text in c.source)


def test_notebook_executes_in_the_venvs_python(executed: Any):
    outputs = [o for c in code_cells(executed) for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert executed.cells[-1].outputs[0]["text"].strip() == sys.executable


def test_every_step_shows_output_and_no_warning(executed: Any):
    for cell in code_cells(executed):
        assert cell.outputs, f"no output: {cell.source[:80]}"
        streams = [o for o in cell.outputs if o.output_type == "stream"]
        assert not [o for o in streams if o.name == "stderr"], cell.source[:80]


def test_the_tour_is_whole(executed: Any):
    # each step of the tour is there, with what it should show
    assert html_outputs(cell_with(executed, "a = readiness.assess(aukus"))  # the assessment
    assert "overall" in cell_with(executed, "what_if(closed)").outputs[0]["text"]
    assert "optimal" in cell_with(executed, "readiness.plan(a,").outputs[0]["text"]
    assert html_outputs(cell_with(executed, "p.frontier()"))
    assert html_outputs(cell_with(executed, "r.uncertainty.to_frame()"))
    report = html_outputs(cell_with(executed, "render_html("))
    assert report and "<iframe srcdoc=" in report[0] and "&lt;svg" in report[0]
    panel = cell_with(executed, "assess_panel(panel")
    assert html_outputs(panel)
    assert html_outputs(cell_with(executed, "agreement.pillar_frame()"))
    atop = cell_with(executed, "atop_panel(")
    assert "alliance-years" in atop.outputs[0]["text"]
    chart = cell_with(executed, "plt.show()")
    assert any("image/png" in o.get("data", {}) for o in chart.outputs)
    html = [h for c in code_cells(executed) for h in html_outputs(c)]
    assert any('class="readiness-comparison"' in h for h in html)
    # plot() shows the report's charts inline, as pictures
    for source in ("a.plot()", "gaps.plot()", 'r.plot("bands")', "comparison.plot()"):
        cell = cell_with(executed, source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), source


def test_tables_are_rounded(executed: Any):
    # no table cell with 4 or more decimals (the report's page is text, not a table)
    for cell in code_cells(executed):
        if "render_html(" in cell.source:
            continue
        for table in html_outputs(cell):
            long = re.findall(r"<td>-?[0-9]+\.[0-9]{4,}</td>", table)
            assert not long, (cell.source[:80], long[:3])


def test_the_atop_step_reads_the_real_files_when_they_are_there(executed: Any):
    text = cell_with(executed, "atop_panel(").outputs[0]["text"]
    real = ROOT.parent / "shared" / "data" / "atop" / "atop5_1m.csv"
    assert text.startswith("ATOP 5.1" if real.exists() else "synthetic ATOP-like file")


def test_the_synthetic_atop_file_reads_and_changes_over_time():
    from readiness.io.atop import atop_panel

    panel = atop_panel(NOTEBOOK.parent / "atop-synthetic" / "atop_synthetic_m.csv")
    assert panel.index.get_level_values("partnership").nunique() == 6
    # a new phase of an alliance shows as a change of its legal pillar
    legal = panel["legal"].groupby(level="partnership")
    assert (legal.max() > legal.min()).sum() >= 2
