"""The HTML report in a real browser: headless Chromium, driven as a plain subprocess.

For every example: a screenshot is written and is not blank, the page logs nothing to
the console and makes no network request. A partnership whose name and evidence carry
script never runs it. A control page checks that the harness would notice if it did.
Skipped when ``chromium`` is not on PATH (CI installs Debian's package).
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from readiness.report import build_report, charts, render_html
from tests.report.helpers import EXAMPLE_FILES, assessment_of, example_report, hostile_data

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT = 60
WIDTH, HEIGHT = 1280, 2400
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
PWNED_TITLE = "<script>document.title='PWNED'</script>"
PWNED_IMG = "<img src=x onerror=\"document.title='PWNED'\">"


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not on PATH (apt-get install chromium; .ci/run installs it)")


@dataclass
class Run:
    dom: str
    console: list[str]
    page_requests: list[str]


def _chromium(tmp: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    cmd = [CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"chromium took more than {TIMEOUT} s on {page.name}")


def _load(tmp: Path, page: Path) -> Run:
    """Open a page; return its DOM after scripts ran, console lines and its own requests."""
    netlog = tmp / f"{page.stem}.netlog.json"
    done = _chromium(
        tmp,
        page,
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=3000",
        f"--log-net-log={netlog}",
        "--dump-dom",
    )
    assert "</html>" in done.stdout, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Run(dom=done.stdout, console=console, page_requests=_page_requests(netlog))


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page itself asked for (the browser's own background traffic is left out)."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in data["events"]:
        params = event.get("params") or {}
        if event["type"] != start or "url" not in params:
            continue
        from_page = "file://" in str(params.get("network_isolation_key", ""))
        if from_page and not params["url"].startswith(("file:", "data:")):
            urls.append(params["url"])
    return urls


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_report_in_chromium(path: Path, tmp_path: Path) -> None:
    report = example_report(path)
    page = tmp_path / f"{path.stem}.html"
    page.write_text(render_html(report, charts=charts.available()), encoding="utf-8")

    shot = tmp_path / f"{path.stem}.png"
    done = _chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}")
    assert shot.exists(), done.stderr[-2000:]
    assert _png_size(shot) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > 40_000, "the screenshot is nearly blank"
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        pass
    else:
        with Image.open(shot) as im:
            colours = im.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 200, "the screenshot has almost no detail"

    run = _load(tmp_path, page)
    assert run.console == []
    assert run.page_requests == []
    assert "Evidence by criterion" in run.dom
    assert run.dom.count('class="criterion"') == len(report.criteria)


def test_injected_script_never_runs(tmp_path: Path) -> None:
    data = hostile_data(PWNED_TITLE)
    first = next(iter(data["ratings"]))
    data["ratings"][first]["evidence"][0]["text"] = PWNED_IMG
    page = tmp_path / "hostile.html"
    page.write_text(render_html(build_report(assessment_of(data))), encoding="utf-8")

    run = _load(tmp_path, page)
    assert "PWNED</title>" not in run.dom
    shown = "&lt;script&gt;document.title='PWNED'&lt;/script&gt;"
    assert f"<title>Readiness of {shown}</title>" in run.dom and f"{shown}</h1>" in run.dom
    assert "&lt;img src=x onerror=\"document.title='PWNED'\"&gt;" in run.dom
    assert "<img" not in run.dom and "<script" not in run.dom
    assert run.console == [] and run.page_requests == []


def test_the_harness_sees_scripts_console_and_requests(tmp_path: Path) -> None:
    """Control: an unescaped page does run its script, log, and fetch; the checks see it."""
    page = tmp_path / "control.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>ok</title></head><body>"
        f'{PWNED_TITLE}<img src="http://example.invalid/x.png">'
        "<script>console.error('control')</script></body></html>",
        encoding="utf-8",
    )
    run = _load(tmp_path, page)
    assert "<title>PWNED</title>" in run.dom
    assert any("control" in line for line in run.console)
    assert run.page_requests == ["http://example.invalid/x.png"]


def test_trend_page_in_chromium(tmp_path: Path) -> None:
    """The trend page (table, band changes, chart) renders, asks for nothing, logs nothing."""
    import readiness as rd
    from readiness.report.page import render_page
    from tests.test_trend import _dated

    page = tmp_path / "trend.html"
    page.write_text(render_page(rd.trend(_dated()).to_document()), encoding="utf-8")
    shot = tmp_path / "trend.png"
    done = _chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}")
    assert shot.exists(), done.stderr[-2000:]
    assert shot.stat().st_size > 40_000, "the screenshot is nearly blank"
    run = _load(tmp_path, page)
    assert run.console == []
    assert run.page_requests == []
    assert "Band changes" in run.dom
    assert run.dom.count("<svg") >= 1  # the chart, inline


def test_atop_alliance_page_in_chromium(tmp_path: Path) -> None:
    """One ATOP alliance over time (real files): renders, asks for nothing, logs nothing."""
    from readiness.io.atop_trend import atop_trend
    from readiness.report.page import render_page
    from tests.test_atop_real import INST, MEMBERS

    if not MEMBERS.is_file():
        pytest.skip("ATOP files not present")
    page = tmp_path / "nato.html"
    doc = atop_trend(MEMBERS, inst=INST).of(3180).to_document()
    page.write_text(render_page(doc), encoding="utf-8")
    shot = tmp_path / "nato.png"
    done = _chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}")
    assert shot.exists(), done.stderr[-2000:]
    assert shot.stat().st_size > 40_000, "the screenshot is nearly blank"
    run = _load(tmp_path, page)
    assert run.console == [] and run.page_requests == []
    assert "ATOP alliance 3180 over time" in run.dom and "MNE" in run.dom
    assert run.dom.count("<svg") >= 1
