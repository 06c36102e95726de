"""Roles: one place decides, from the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.roles import Role, role_of
from tests.harness import ADMIN_ID, COMMISSIONER_ID, EXAMPLE_CONFIG, MEMBER_ID


def test_the_demo_personas_have_their_roles() -> None:
    settings, _ = load_settings(EXAMPLE_CONFIG)
    assert role_of(settings, ADMIN_ID) is Role.ADMIN
    assert role_of(settings, COMMISSIONER_ID) is Role.COMMISSIONER
    assert role_of(settings, MEMBER_ID) is Role.MEMBER
    assert role_of(settings, 999_999) is Role.MEMBER
    assert settings.commissioners[0].areas == ["knowsley"]


def test_a_commissioner_for_an_unknown_area_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[commissioners]]\nuser_id = 5\nareas = ["atlantis"]\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert raised.value.problems == [
        "commissioners: commissioner 5 covers unknown areas: atlantis"
    ]
