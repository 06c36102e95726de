"""Config: the example file, environment overrides, and one clear line per problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.config import ConfigError, Programme, load_settings
from tests.harness import EXAMPLE_CONFIG as EXAMPLE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    return raised.value.problems


def test_example_config_loads_and_matches_the_seed_defaults() -> None:
    settings, warnings = load_settings(EXAMPLE)
    assert warnings == []
    assert settings.programme == Programme()
    assert [c.title for c in settings.programme.challenges] == ["Challenge 1", "Challenge 2"]
    assert settings.programme.challenges[0].prompt.startswith(
        "For a collaborative working model (social enterprise)"
    )
    assert [g.name for g in settings.programme.report_groups] == [
        "VCS and local authority",
        "Children's centres",
    ]
    assert len(settings.programme.themes) == 6
    assert {p.label for p in settings.simulator.personas} == {"Member", "Commissioner", "Admin"}
    assert settings.timezone == "Europe/London"


def test_environment_overrides_nested_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPRODUCE_TELEGRAM__TOKEN", "42:from-env")
    monkeypatch.setenv("COPRODUCE_TELEGRAM__BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("COPRODUCE_STORAGE__PATH", str(tmp_path / "env.sqlite3"))
    path = write(tmp_path, '[telegram]\ntoken = "from-file"\n[storage]\npath = "file.sqlite3"\n')
    settings, _ = load_settings(path)
    assert settings.telegram.token.get_secret_value() == "42:from-env"
    assert settings.telegram.base_url == "http://127.0.0.1:9/bot"
    assert settings.storage.path == tmp_path / "env.sqlite3"


def test_token_is_hidden_in_reprs(tmp_path: Path) -> None:
    settings, _ = load_settings(write(tmp_path, '[telegram]\ntoken = "123:very-secret"\n'))
    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(settings.telegram)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[telegram]\nmode = "carrier-pigeon"\n', "telegram.mode: Input should be 'polling'"),
        ('[telegram]\nmode = "webhook"\n', "telegram: mode 'webhook' needs telegram.webhook_url"),
        ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone 'Mars/Olympus'"),
        ('[telegram]\nwebhook_secret = "a:b"\n', "telegram.webhook_secret: use 1 to 256 of"),
        ("admins = ['alex']\n", "admins.0: Input should be a valid integer"),
        ("colour = 'blue'\n", "colour: Extra inputs are not permitted"),
        (
            '[[programme.report_groups]]\nname = "All"\nsectors = ["vcs", "pirates"]\n',
            "programme: report group 'All' names unknown sectors: pirates",
        ),
        (
            '[programme.schedules]\ndigest_time = "25:00"\n',
            "programme.schedules.digest_time: String should match pattern",
        ),
        ("[storage\npath = 1\n", "not valid TOML"),
    ],
)
def test_each_problem_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert expected in problems[0]


def test_several_problems_give_several_lines(tmp_path: Path) -> None:
    problems = problems_of(
        write(tmp_path, 'log_level = "LOUD"\n[limits]\nmessages_per_minute = 0\n')
    )
    assert sorted(p.split(":")[0] for p in problems) == [
        "limits.messages_per_minute",
        "log_level",
    ]


def test_bad_config_exits_2_with_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '[telegram]\nmode = "fax"\n[programme]\nmin_group_size = 0\n')
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "coproduce: config error: telegram.mode: Input should be 'polling' or 'webhook'",
        "coproduce: config error: programme.min_group_size: Input should be greater than or "
        "equal to 1",
    ]
    assert "Traceback" not in err


def test_missing_config_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(tmp_path / "absent.toml"), "check-config"]) == 2
    assert capsys.readouterr().err == (
        f"coproduce: config error: {tmp_path / 'absent.toml'}: config file not found\n"
    )


def test_without_config_toml_the_example_is_used_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EXAMPLE, tmp_path / "config.example.toml")
    monkeypatch.chdir(tmp_path)
    assert main(["check-config"]) == 0
    captured = capsys.readouterr()
    assert "warning: config.toml not found: using config.example.toml" in captured.err
    assert captured.out.startswith("config OK: 1 area(s), 4 sector(s), 6 theme(s)")


def test_run_without_token_says_where_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "")
    assert main(["--config", str(path), "run"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "@BotFather" in err
    assert "make demo" in err


def test_a_challenge_may_not_take_a_key_the_bot_uses() -> None:
    seed = Programme().challenges
    with pytest.raises(ValidationError, match="challenge keys may not be survey"):
        Programme(challenges=[seed[0].model_copy(update={"key": "survey"}), seed[1]])
