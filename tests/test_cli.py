"""The `coproduce` command line: --config anywhere, every option explained in --help, and
`demo --reset` starting the demo afresh without touching anything that is not the demo's."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.cli import COMMANDS, main
from bot.simulator import SimulatorClient
from bot.simulator import demo as demo_module
from tests.harness import EXAMPLE_CONFIG

# A value for each command's required arguments, so every command parses.
REQUIRED = {"backup": ["copy.sqlite3"], "export": ["--out", "export.xlsx"]}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    [choices] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(choices.choices)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_config_is_taken_before_or_after_every_command(name: str) -> None:
    parser = cli._parser()
    rest = REQUIRED.get(name, [])
    before = parser.parse_args(["--config", "a.toml", name, *rest])
    after = parser.parse_args([name, *rest, "--config", "a.toml"])
    assert before.config == after.config == Path("a.toml")
    assert not hasattr(parser.parse_args([name, *rest]), "config")


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_after_the_command_is_the_one_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text("[telegram]\nmode = 'fax'\n")
    arguments = ["--config", str(config), "check-config"]
    if where == "after":
        arguments = ["check-config", "--config", str(config)]
    assert main(arguments) == 2
    assert "telegram.mode: `fax` is not allowed" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_of_every_command_is_in_its_help_with_a_description(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([name, "--help"])
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    actions = subcommands()[name]._actions
    assert {"--config", "--help"} <= {o for a in actions for o in a.option_strings}
    for action in actions:
        assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        assert "\n" not in action.help
        assert " ".join(action.help.split()).replace("%%", "%") in shown
        for option in action.option_strings or [str(action.metavar)]:
            assert option in shown
    summary = (COMMANDS[name].__doc__ or "").strip().splitlines()[0]
    assert summary in shown


def test_main_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    for name in COMMANDS:
        assert name in shown


def demo_database(directory: Path) -> Path:
    """A coproduce database where the demo keeps one, with its WAL companion."""
    path = directory / demo_module.DEMO_DATABASE
    directory.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
        db.commit()
    (directory / f"{demo_module.DEMO_DATABASE}-wal").write_bytes(b"")
    return path


@pytest.fixture
def demo_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stand in for the demo itself: record how it would have been started."""
    runs: list[dict[str, Any]] = []

    async def fake_run_demo(settings: Any, **options: Any) -> None:
        runs.append(options)

    monkeypatch.setattr(demo_module, "run_demo", fake_run_demo)
    return runs


def test_demo_reset_deletes_the_demos_database_then_starts(
    tmp_path: Path, demo_runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "demo-data"
    database = demo_database(data)
    arguments = ["--config", str(EXAMPLE_CONFIG), "demo", "--data-dir", str(data), "--reset"]
    assert main(arguments) == 0
    assert not database.exists()
    assert list(data.iterdir()) == []
    assert f"starting afresh: deleted {database}" in capsys.readouterr().out
    assert [run["data_dir"] for run in demo_runs] == [data]


def test_demo_without_reset_keeps_its_data_and_says_how_to_start_afresh(
    tmp_path: Path, demo_runs: list[dict[str, Any]]
) -> None:
    data = tmp_path / "demo-data"
    database = demo_database(data)
    assert main(["--config", str(EXAMPLE_CONFIG), "demo", "--data-dir", str(data)]) == 0
    assert database.exists()
    [run] = demo_runs
    assert run["afresh"] == (f"coproduce --config {EXAMPLE_CONFIG} demo --data-dir {data} --reset")


def test_demo_reset_with_nothing_to_delete_just_starts(
    tmp_path: Path, demo_runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "never-used"
    arguments = ["--config", str(EXAMPLE_CONFIG), "demo", "--data-dir", str(data), "--reset"]
    assert main(arguments) == 0
    assert "deleted" not in capsys.readouterr().out
    assert len(demo_runs) == 1


def test_demo_reset_refuses_a_file_that_is_not_a_coproduce_database(
    tmp_path: Path, demo_runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "demo-data"
    data.mkdir()
    precious = data / demo_module.DEMO_DATABASE
    precious.write_text("my thesis, unfortunately named\n")
    arguments = ["--config", str(EXAMPLE_CONFIG), "demo", "--data-dir", str(data), "--reset"]
    assert main(arguments) == 2
    assert precious.read_text() == "my thesis, unfortunately named\n"
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "is not a coproduce demo database: not deleting it" in err
    assert demo_runs == []


def test_demo_reset_refuses_the_bots_own_database(
    tmp_path: Path,
    demo_runs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "live"
    database = demo_database(data)
    monkeypatch.setenv("COPRODUCE_STORAGE__PATH", str(database))
    arguments = ["--config", str(EXAMPLE_CONFIG), "demo", "--data-dir", str(data), "--reset"]
    assert main(arguments) == 2
    assert database.exists()
    assert "is the bot's own database (storage.path)" in capsys.readouterr().err
    assert demo_runs == []


async def run_demo_process(data: Path, *options: str) -> list[str]:
    """`coproduce demo` as a real process: its first lines, once a user got an answer."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(EXAMPLE_CONFIG), "demo"),
        *("--port", "0", "--data-dir", str(data), *options),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("to start afresh" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
            assert line, lines
            lines.append(line.decode().rstrip("\n"))
        [url] = [ln.split("open ")[1].split("/ in")[0] for ln in lines if "open http" in ln]
        async with SimulatorClient(url) as sim:
            user = sim.user(1001, "Maya")
            await user.send("/help")
            await user.next_reply(timeout=30)
        process.terminate()
        await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    return lines


async def test_the_demo_says_how_to_start_afresh_and_reset_does_so(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    first = await run_demo_process(data)
    database = data / demo_module.DEMO_DATABASE
    afresh = f"coproduce --config {EXAMPLE_CONFIG} demo --data-dir {data} --reset"
    assert f"What you do is kept in {database}; to start afresh, stop it and run: {afresh}" in (
        first
    )
    assert database.exists()
    with closing(sqlite3.connect(database)) as db:
        db.execute("CREATE TABLE left_by_the_first_run (x)")
        db.commit()

    second = await run_demo_process(data, "--reset")
    assert second[0] == f"coproduce demo: starting afresh: deleted {database}"
    with closing(sqlite3.connect(database)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "schema_migrations" in tables
    assert "left_by_the_first_run" not in tables
