"""Issue 12, item 7: a small `make stress` (fuzzed updates, kill -9 with bursts in flight,
then the database's invariants) runs with the tests; `make stress` runs the full one."""

from __future__ import annotations

from benchmarks.stress import run


async def test_a_small_stress_run_loses_nothing_and_breaks_nothing() -> None:
    summary, ok = await run(updates=500, kills=4, people=12, seed=7)
    assert ok, summary
    assert summary.endswith("0 unhandled errors, 0 answers lost, 0 updates lost, 0 duplicates"), (
        summary
    )
