"""Issue 12, item 6: every command and every button prefix, for every kind of person, with the
expected outcome written down. A command or button added without a row here fails the test."""

from __future__ import annotations

import logging

import pytest

from bot.config import Commissioner, Settings
from bot.features.privacy.handlers import ALREADY_ERASED
from bot.handlers import COMMANDS, FEATURES, PRIVATE_ONLY_BUTTON
from bot.roles import REFUSALS, Role
from bot.simulator import SimulatorClient
from tests.harness import ADMIN_ID, COMMISSIONER_ID, all_handled, answers_to, sign_up
from tests.test_privacy import running

COMMISSIONER_B_ID = 1012
MEMBER_ID_ = 2401
STRANGER_ID = 2402  # never consented
PEOPLE = {
    "member": MEMBER_ID_,
    "commissioner A": COMMISSIONER_ID,
    "commissioner B": COMMISSIONER_B_ID,
    "admin": ADMIN_ID,
    "stranger": STRANGER_ID,
}
OK, STAFF_ONLY, ADMIN_ONLY = "answered", REFUSALS[Role.COMMISSIONER], REFUSALS[Role.ADMIN]
ALL_OK = dict.fromkeys(PEOPLE, OK)
STAFF = {**ALL_OK, "member": STAFF_ONLY, "stranger": STAFF_ONLY}
ADMINS = {**dict.fromkeys(PEOPLE, ADMIN_ONLY), "admin": OK}

# command -> who -> the refusal they get, or OK (answered, not refused, no error)
COMMAND_TABLE: dict[str, dict[str, str]] = {
    "start": ALL_OK,
    "menu": ALL_OK,
    "profile": ALL_OK,
    "cancel": ALL_OK,
    "help": ALL_OK,
    "needs": ALL_OK,
    "privacy": ALL_OK,
    "mydata": ALL_OK,
    "forget": ALL_OK,
    "stop": ALL_OK,
    "stats": STAFF,
    "retag": ADMINS,
    "themes": ADMINS,
    "wave": ADMINS,
    "outbox": ADMINS,
    "digest": ADMINS,
    "invite": ADMINS,
    "commissioners": ADMINS,
    "revoke": ADMINS,
    "audit": ADMINS,
    "export": STAFF,
    "event": ADMINS,
    "events": ADMINS,
    "broadcast": ADMINS,
}
# button prefix -> forged data -> who -> OK (answered, no error; changes only the presser's own
# data). A press outside a private chat is answered with PRIVATE_ONLY_BUTTON for everyone.
BUTTON_TABLE: dict[str, tuple[str, dict[str, str]]] = {
    "consent:": ("consent:no", ALL_OK),
    "menu:": ("menu:privacy", ALL_OK),
    "forget:": ("forget:no", ALL_OK),
    # A member's press is refused in its answer; staff see only their own areas' needs.
    "inbox:": ("inbox:l:0.0.0.0.0", ALL_OK),
    # A staff menu button runs its command, by the command's own rules.
    "cmd:": ("cmd:help", ALL_OK),
    # Only the admin who started a broadcast may aim, send or cancel it.
    "bc:": ("bc:1:cancel", ALL_OK),
}


def test_every_command_and_button_has_a_row() -> None:
    assert {c.name for c in COMMANDS} == set(COMMAND_TABLE)
    prefixes = {
        button.pattern.split(":")[0] + ":" for feature in FEATURES for button in feature.buttons
    }
    assert prefixes == set(BUTTON_TABLE)
    for outcomes in COMMAND_TABLE.values():
        assert set(outcomes) == set(PEOPLE)


async def test_the_authorisation_table_holds(
    sim: SimulatorClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    own = settings.model_copy(
        update={
            "commissioners": [
                *settings.commissioners,
                Commissioner(user_id=COMMISSIONER_B_ID, areas=["knowsley"]),
            ]
        }
    )
    async with running(own):
        # Staff have their own welcome and are not signed up as members.
        await sign_up(sim.user(PEOPLE["member"], "Member"))
        for name, outcomes in COMMAND_TABLE.items():
            for who, expected in outcomes.items():
                said = [m.text for m in await answers_to(sim.user(PEOPLE[who]), f"/{name}")]
                assert said, (name, who)
                refused = any(text in REFUSALS.values() for text in said)
                assert (said if refused else [OK]) == [expected], (name, who, said)
        for data, outcomes in BUTTON_TABLE.values():
            for who, expected in outcomes.items():
                user = sim.user(PEOPLE[who])
                answer = await user.answer_to(await user.press(data=data, force=True))
                assert answer.get("text") not in (PRIVATE_ONLY_BUTTON, ALREADY_ERASED), (data, who)
                assert expected == OK
        await all_handled(own, sim)
    errors = [r.getMessage() for r in caplog.records if "handler_error" in r.getMessage()]
    assert errors == []
