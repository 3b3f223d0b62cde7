"""The goals table ``make bench`` prints (benchmarks/__main__.py)."""

from __future__ import annotations

import json

from benchmarks.__main__ import BENCHES, ROOT, goals_in, table


def test_every_goal_is_found_at_any_depth_with_its_value_and_ratio() -> None:
    document = {
        "load_before": [0.5, 0.4, 0.3],
        "batch_5000_goals": {
            "files_jobs1": {"ratio_to_floor": 6.02, "goal": "within 3x", "met": False},
            "files_workers_gain": {"default_over_jobs1": 1.8, "goal": "1.7x", "met": True},
        },
        "goals": {"one": {"slowest_ms": 32.3, "ratio": 1.11, "goal": "under 100 ms", "met": True}},
        "runs": [{"goal": "not a goal: no met"}],
    }
    goals = list(goals_in("batch", document))
    assert [(g.measure, g.value, g.ratio, g.against, g.met) for g in goals] == [
        ("files_jobs1", "-", "6.02x", "floor", False),
        ("files_workers_gain", "-", "1.8x", "jobs1", True),
        ("one", "32.3 ms", "1.11x", "floor", True),
    ]
    text = table(goals, {"batch": "0.5/0.4/0.3"})
    assert "| batch (0.5/0.4/0.3) | files_jobs1 | - | 6.02x | floor | within 3x | **no** |" in text
    assert text.endswith("2 of 3 goals met.")


def test_every_benchmark_script_named_exists_and_states_its_goals_the_same_way() -> None:
    for name in BENCHES:
        script = ROOT / "benchmarks" / f"bench_{name}.py"
        assert script.is_file(), script
    # a goal without "met" would never reach the table
    for script in (ROOT / "benchmarks").glob("bench_*.py"):
        text = script.read_text("utf-8")
        assert text.count('"goal":') == text.count('"met":'), script.name


def test_a_summary_of_saved_results_reads_what_the_scripts_wrote(tmp_path, monkeypatch) -> None:
    import benchmarks.__main__ as runner

    monkeypatch.setattr(runner, "OUT", tmp_path)
    (tmp_path / "plan.json").write_text(
        json.dumps({"goals": {"plan": {"slowest_ms": 12.0, "goal": "under 100 ms", "met": True}}})
    )
    assert runner.main(["--only", "plan", "--summary", "--check"]) == 0
    assert (
        "| plan | plan | 12 ms | - | - | under 100 ms | yes |"
        in (tmp_path / "goals.md").read_text()
    )
    (tmp_path / "plan.json").write_text(
        json.dumps({"goals": {"plan": {"slowest_ms": 120.0, "goal": "under 100 ms", "met": False}}})
    )
    assert runner.main(["--only", "plan", "--summary", "--check"]) == 1
    assert runner.main(["--only", "plan", "--summary"]) == 0
