"""Roles: one place decides, from the database, seeded from the config."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.roles import Role, StaffRoles
from storage.database import Database
from storage.roles import RoleStore
from tests.harness import ADMIN_ID, COMMISSIONER_ID, EXAMPLE_CONFIG, MEMBER_ID

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_the_demo_personas_have_their_roles(tmp_path: Path) -> None:
    settings, _ = load_settings(EXAMPLE_CONFIG)
    database = await Database.open(tmp_path / "roles.sqlite3")
    roles = StaffRoles(RoleStore(database))
    await roles.load(settings, NOW)
    assert roles.role_of(ADMIN_ID) is Role.ADMIN
    assert roles.role_of(COMMISSIONER_ID) is Role.COMMISSIONER
    assert roles.role_of(MEMBER_ID) is Role.MEMBER
    assert roles.role_of(999_999) is Role.MEMBER
    assert roles.areas_of(COMMISSIONER_ID) == {"knowsley"}
    await database.close()


async def test_roles_survive_a_restart_and_the_config_stays_the_truth(tmp_path: Path) -> None:
    settings, _ = load_settings(EXAMPLE_CONFIG)
    path = tmp_path / "roles.sqlite3"
    database = await Database.open(path)
    roles = StaffRoles(RoleStore(database))
    await roles.load(settings, NOW)
    invited = await roles.grant(555, "Sam", ["knowsley", "st_helens"], ADMIN_ID, NOW)
    assert invited is not None
    assert roles.role_of(555) is Role.MEMBER  # not until the caller says it committed
    roles.remember(invited)
    assert roles.role_of(555) is Role.COMMISSIONER
    assert invited.source == "invite"
    # An invite does not change what the config decides.
    assert await roles.grant(COMMISSIONER_ID, "Chris", ["st_helens"], ADMIN_ID, NOW) is None
    assert await roles.grant(ADMIN_ID, "Alex", ["st_helens"], ADMIN_ID, NOW) is None
    assert await roles.revoke(COMMISSIONER_ID) is None
    await database.close()

    # The config drops the admin; the invited commissioner stays.
    fewer = settings.model_copy(update={"admins": []})
    database = await Database.open(path)
    roles = StaffRoles(RoleStore(database))
    await roles.load(fewer, NOW)
    assert roles.role_of(ADMIN_ID) is Role.MEMBER
    assert roles.role_of(555) is Role.COMMISSIONER
    assert roles.areas_of(555) == {"knowsley", "st_helens"}
    revoked = await roles.revoke(555)
    assert revoked is not None
    roles.forget(555)
    assert roles.role_of(555) is Role.MEMBER
    assert await RoleStore(database).all() == roles.staff()
    await database.close()


def test_a_commissioner_for_an_unknown_area_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[commissioners]]\nuser_id = 5\nareas = ["atlantis"]\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert raised.value.problems == [
        "commissioners: commissioner 5 covers unknown areas: atlantis"
    ]
