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
    # The example adds a second area to the seed's, for the demo to show area scoping.
    assert [area.key for area in settings.programme.areas] == ["knowsley", "st_helens"]
    assert settings.programme.model_copy(update={"areas": Programme().areas}) == Programme()
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
        (
            '[telegram]\nmode = "carrier-pigeon"\n',
            "telegram.mode: `carrier-pigeon` is not allowed; use 'polling' or 'webhook'",
        ),
        ('[telegram]\nmode = "webhook"\n', "telegram: mode 'webhook' needs telegram.webhook_url"),
        ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone 'Mars/Olympus'"),
        ('[telegram]\nwebhook_secret = "a:b"\n', "telegram.webhook_secret: use 1 to 256 of"),
        (
            "admins = [123456789, 'alex']\n",
            "admins: `alex` is not a Telegram user id (a whole number, e.g. 123456789)",
        ),
        ("colour = 'blue'\n", "unknown key `colour` at the top level; the keys there are"),
        ('[telegram]\ntokn = "1:a"\n', "unknown key `tokn` in [telegram]; did you mean `token`?"),
        (
            "log_levl = 'INFO'\n",
            "unknown key `log_levl` at the top level; did you mean `log_level`?",
        ),
        (
            '[[programme.areas]]\nkey = "a"\nnmae = "A"\n',
            "unknown key `nmae` in entry 1 of [[programme.areas]]; did you mean `name`?",
        ),
        (
            '[[commissioners]]\nareas = ["knowsley"]\n',
            "commissioners[1]: `user_id` is missing; add it (see config.example.toml)",
        ),
        (
            '[[commissioners]]\nuser_id = "bob"\nareas = ["knowsley"]\n',
            "commissioners[1].user_id: `bob` is not a Telegram user id",
        ),
        ("[telegram]\nwebhook_port = 0\n", "telegram.webhook_port: 0 is too small; use 1 or more"),
        (
            "[telegram]\nwebhook_port = 70000\n",
            "telegram.webhook_port: 70000 is too large; use 65535 or less",
        ),
        (
            "[programme]\nretention_days = 'long'\n",
            "programme.retention_days: `long` is not a whole",
        ),
        (
            "[programme]\nkeep_anonymous_contributions = 'maybe'\n",
            "programme.keep_anonymous_contributions: `maybe` should be true or false",
        ),
        ("[programme]\nname = 5\n", "programme.name: 5 should be text in quotes"),
        ("storage = 3\n", "storage: should be a table, a [storage] section"),
        ("[programme.privacy]\nnotice = ''\n", "programme.privacy.notice: must not be empty"),
        (
            "[programme.survey]\nscale_labels = ['a', 'b']\n"
            "items = [{key = 'x', question = 'Q'}]\n",
            "programme.survey.scale_labels: needs at least 5 entries (it has 2)",
        ),
        (
            '[[programme.areas]]\nkey = "Kirkby Town"\nname = "Kirkby"\n',
            "programme.areas[1].key: `Kirkby Town` is not allowed; use 1 to 32 of a-z, 0-9 and _",
        ),
        (
            '[[programme.report_groups]]\nname = "All"\nsectors = ["vcs", "pirates"]\n',
            "programme: report group 'All' names unknown sectors: pirates",
        ),
        (
            '[programme.schedules]\ndigest_time = "25:00"\n',
            "programme.schedules.digest_time: `25:00` is not allowed; write a 24-hour time",
        ),
        ("[storage\npath = 1\n", "not valid TOML"),
    ],
)
def test_each_problem_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert expected in problems[0]


def test_a_misspelt_key_far_from_any_other_lists_the_keys_of_its_section(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "[storage]\nwhere = 'x.sqlite3'\n"))
    assert problem == ("unknown key `where` in [storage]; the keys there are path")


def test_each_bad_admin_is_named_by_its_value(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "admins = ['alice', 42, 'bob']\n"))
    assert [p.split("`")[1] for p in problems] == ["alice", "bob"]
    assert all(p.startswith("admins: `") for p in problems)


def test_a_bad_secret_is_never_echoed(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "[telegram]\ntoken = 123456789\n"))
    assert problem == "telegram.token: the value should be text in quotes"


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
        "coproduce: config error: telegram.mode: `fax` is not allowed; use 'polling' or 'webhook'",
        "coproduce: config error: programme.min_group_size: 0 is too small; use 1 or more",
    ]
    assert "Traceback" not in err


def test_missing_config_file_is_one_line_saying_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent.toml"
    assert main(["--config", str(absent), "check-config"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith(f"coproduce: config error: no config file: tried {absent} (in ")
    assert f"`cp config.example.toml {absent}`" in err


def test_with_no_config_at_all_both_files_tried_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert f"tried config.toml and config.example.toml (in {tmp_path})" in err
    assert "`cp config.example.toml config.toml`" in err
    assert "--config FILE" in err


def test_without_config_toml_the_example_is_used_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EXAMPLE, tmp_path / "config.example.toml")
    monkeypatch.chdir(tmp_path)
    assert main(["check-config"]) == 0
    captured = capsys.readouterr()
    assert "warning: config.toml not found: using config.example.toml" in captured.err
    assert captured.out.startswith("config OK: 2 area(s), 4 sector(s), 6 theme(s)")


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


def test_a_config_from_before_the_upgrade_still_loads_and_says_what_to_remove(
    tmp_path: Path,
) -> None:
    """`theme_tagging.threshold` meant something to the old tagger: an old config loads, with
    a warning naming the key, instead of being refused after an upgrade."""
    old = EXAMPLE.read_text(encoding="utf-8").replace(
        "[programme.theme_tagging]\n", "[programme.theme_tagging]\nthreshold = 0.2\n"
    )
    path = tmp_path / "config.toml"
    path.write_text(old, encoding="utf-8")
    settings, warnings = load_settings(path)
    assert warnings == [
        "programme.theme_tagging.threshold is no longer used: the theme tagger no longer uses "
        "a similarity threshold (`programme.theme_tagging.min_score` asks for surer tags); "
        "remove it"
    ]
    assert settings.programme.theme_tagging.min_score is None
