"""examples/analyst.ipynb runs top to bottom without an error, in the venv's Python."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    _ensure_kernelspec()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # one more cell (in memory only) to check which Python the kernel runs
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert nb.cells[-1].outputs[0]["text"].strip() == sys.executable
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="readiness-comparison"' in h for h in html)
    shown_a = next(c for c in nb.cells if c.cell_type == "code" and c.source.endswith("\na"))
    assert any("text/html" in o.get("data", {}) for o in shown_a.outputs)  # the assessment
