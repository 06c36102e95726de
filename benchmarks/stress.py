"""`make stress`: fuzzed updates against a real `coproduce run` process, killed with -9 again
and again while bursts are in flight, then the database's invariants.

    python -m benchmarks.stress [--updates N] [--kills K] [--people P] [--seed S]

Updates: random Unicode (right-to-left scripts, zero-width characters, emoji, control
characters, half emoji, 4,096+ characters), stickers, photos, voice notes, documents,
locations and contacts where text is expected, commands at every step, edited messages, stale
and forged callback data, group messages and presses, channel posts, many people at once.

Counted at the end (the last line):

* unhandled errors: ``event=handler_error`` lines, tracebacks and CRITICAL lines in the bot's log;
* updates lost: an update the emulator queued that is not marked handled in the inbox (or that
  Telegram still holds);
* answers lost: a button press the bot never answered (the phone's spinner);
* duplicates: a press answered twice, or a stored answer (a unique word sent once) found twice.

Then: ``integrity_check``, ``foreign_key_check``, no contribution or survey answer whose
person has not consented, no draft without its person, and outbox keys unique (if there is an
outbox table).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.simulator import BotApiEmulator, SimulatorClient
from bot.simulator.demo import personas_of

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "config.example.toml"
LIMIT_VARIABLE = "COPRODUCE_LIMITS__MESSAGES_PER_MINUTE"
GROUP_ID = -100555
CHANNEL_ID = -100666
FIRST_PERSON = 7000
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 .,;:!?'\"()-",
    "مرحبا بكم في المجموعة ",  # Arabic, right to left
    "שלום לכולם בקבוצה ",  # Hebrew
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202e\u3164",  # invisible and direction marks
    "😀👩‍👩‍👧🏳️‍🌈👍🏽🎉",
    "\x00\x01\x1b\x7f\t\n",
    "Zoë Ångström ñandú 漢字 かな 한국어",
]
COMMANDS = [
    "/start", "/menu", "/cancel", "/help", "/profile", "/needs", "/privacy", "/stop",
    "/mydata", "/stats", "/wave", "/retag N-1 none", "/nonsense", "/start ev_x",
]  # fmt: skip
FORGED = [
    "consent:yes:1", "consent:no", "menu:need", "menu:profile", "menu:resume", "menu:privacy",
    "menu:survey", "menu:challenge_1", "menu:need:new", "forget:no", "f:1:name:back",
    "f:99999:#s:confirm", "", "consent:yes:1\n", "menu:", "f:1:name:pick:1",
]  # fmt: skip


def fuzz_text(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return "long " + "".join(rng.choice(ALPHABETS[0]) for _ in range(rng.randint(4096, 5000)))
    if rng.random() < 0.03:
        return "half an emoji \ud83d"
    length = rng.randint(1, 60)
    text = "".join(rng.choice(rng.choice(ALPHABETS)) for _ in range(length))
    return text if text.strip() else text + "x"


class Stress:
    def __init__(self, sim: SimulatorClient, people: int, seed: int) -> None:
        self.sim = sim
        self.rng = random.Random(seed)
        self.people = [FIRST_PERSON + n for n in range(people)]
        self.update_ids: list[int] = []
        self.queries: list[tuple[int, str]] = []  # (chat, callback query id)
        self.words: list[str] = []  # unique words sent once each
        self.message_id = 10_000

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        status, answer = await self.sim.request("POST", path, body=body, expect=(200, 400, 404))
        if status != 200:
            return None
        self.update_ids.append(int(answer["update_id"]))
        return dict(answer)

    async def send(self, person: int, text: str, chat_id: int | None = None) -> None:
        body = {"kind": "text", "text": text, "chat_id": chat_id, "first_name": f"P{person}"}
        await self._post(f"/sim/users/{person}/messages", body)

    async def press(self, person: int, data: str, chat_id: int | None = None) -> None:
        body = {"data": data, "force": True, "chat_id": chat_id}
        answer = await self._post(f"/sim/users/{person}/press", body)
        if answer is not None:
            self.queries.append((chat_id or person, str(answer["callback_query_id"])))

    async def raw(self, kind: str, payload: dict[str, Any]) -> None:
        await self._post("/sim/updates", {"kind": kind, "payload": payload})

    def _message(self, person: int, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        self.message_id += 1
        return {
            "message_id": self.message_id,
            "from": {"id": person, "is_bot": False, "first_name": f"P{person}"},
            "chat": chat,
            "date": int(time.time()),
            **content,
        }

    async def one(self, person: int) -> None:
        """One random update from ``person``."""
        rng = self.rng
        private = {"id": person, "type": "private", "first_name": f"P{person}"}
        roll = rng.random()
        if roll < 0.30:
            text = fuzz_text(rng)
            if rng.random() < 0.3:
                word = f"w{len(self.words)}q{rng.randrange(10**9)}"
                self.words.append(word)
                text = word
            await self.send(person, text)
        elif roll < 0.45:
            await self.send(person, rng.choice(COMMANDS))
        elif roll < 0.60:
            data = rng.choice(FORGED) if rng.random() < 0.8 else fuzz_text(rng)[:64]
            await self.press(person, data)
        elif roll < 0.70:
            kind = rng.choice(["photo", "voice", "sticker", "document"])
            body = {"kind": kind, "first_name": f"P{person}"}
            await self._post(f"/sim/users/{person}/messages", body)
        elif roll < 0.76:
            content = rng.choice(
                [
                    {"location": {"latitude": 53.48, "longitude": -2.86}},
                    {"contact": {"phone_number": "+447700900000", "first_name": "Kim"}},
                ]
            )
            await self.raw("message", self._message(person, private, **content))
        elif roll < 0.82:
            edit = self._message(person, private, text=fuzz_text(rng), edit_date=int(time.time()))
            await self.raw("edited_message", edit)
        elif roll < 0.90:
            if rng.random() < 0.5:
                await self.send(person, rng.choice([fuzz_text(rng), *COMMANDS]), GROUP_ID)
            else:
                await self.press(person, rng.choice(FORGED), GROUP_ID)
        elif roll < 0.93:
            channel = {"id": CHANNEL_ID, "type": "channel", "title": "News"}
            post = self._message(person, channel, text=rng.choice([*COMMANDS, "news"]))
            del post["from"]
            await self.raw(rng.choice(["channel_post", "edited_channel_post"]), post)
        else:  # a burst: the same person, several answers in a row
            for _ in range(rng.randint(2, 5)):
                await self.send(person, rng.choice([fuzz_text(rng), "Kirkby", "Done", "1"]))

    async def burst(self, count: int) -> None:
        """``count`` updates, spread over everyone at once, each person's in order."""
        share = {person: 0 for person in self.people}
        for _ in range(count):
            share[self.rng.choice(self.people)] += 1

        async def person_sends(person: int, n: int) -> None:
            for _ in range(n):
                await self.one(person)

        await asyncio.gather(*(person_sends(p, n) for p, n in share.items() if n))


async def wait_until_handled(sim: SimulatorClient, database: Path, seconds: float) -> bool:
    """Wait until Telegram holds nothing and the inbox has nothing unhandled; False if that
    did not happen in time (what is left is then counted as lost)."""
    waiting, pending = -1, -1
    try:
        async with asyncio.timeout(seconds):
            while True:
                pending = await sim.pending_updates()
                with closing(sqlite3.connect(database)) as connection:
                    (waiting,) = connection.execute(
                        "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL"
                    ).fetchone()
                if not pending and not waiting:
                    return True
                await asyncio.sleep(0.1)
    except TimeoutError:
        print(
            f"stress: after {seconds:g} s, {pending} updates still at Telegram and "
            f"{waiting} unhandled in the inbox",
            file=sys.stderr,
        )
        return False


def invariants(database: Path) -> list[str]:
    """What is wrong with the database, if anything."""
    problems: list[str] = []
    with closing(sqlite3.connect(database)) as db:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        if db.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check found orphans")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        for table in ("needs", "challenge_answers", "survey_answers"):
            if table in tables:
                (bad,) = db.execute(
                    f"SELECT COUNT(*) FROM {table} t WHERE t.user_id IS NOT NULL AND NOT EXISTS"
                    " (SELECT 1 FROM participants p WHERE p.user_id = t.user_id"
                    " AND p.consent_version IS NOT NULL)"
                ).fetchone()
                if bad:
                    problems.append(f"{bad} {table} rows without consent")
        (orphans,) = db.execute(
            "SELECT COUNT(*) FROM drafts d WHERE NOT EXISTS"
            " (SELECT 1 FROM participants p WHERE p.user_id = d.user_id)"
        ).fetchone()
        if orphans:
            problems.append(f"{orphans} orphan drafts")
        if "outbox" in tables:
            columns = [row[1] for row in db.execute("PRAGMA table_info(outbox)")]
            key = next((c for c in ("key", "message_key", "dedupe_key") if c in columns), None)
            if (
                key
                and db.execute(
                    f"SELECT {key} FROM outbox GROUP BY {key} HAVING COUNT(*) > 1"
                ).fetchall()
            ):
                problems.append("outbox keys repeated")
    return problems


def duplicated_words(database: Path, words: list[str]) -> int:
    """Words sent once each that are stored more than once (the inbox aside)."""
    with closing(sqlite3.connect(database)) as db:
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] not in ("inbox", "sqlite_sequence")
        ]
        stored = " ".join(
            str(value)
            for table in tables
            for row in db.execute(f"SELECT * FROM {table}")
            for value in row
            if isinstance(value, str)
        )
    return sum(1 for word in words if stored.count(word) > 1)


async def run(updates: int, kills: int, people: int, seed: int) -> tuple[str, bool]:
    """The stress run; its summary line, and whether everything held."""
    # Fast fuzzing is no flood: no one's updates are refused for coming too quickly.
    previous = os.environ.get(LIMIT_VARIABLE)
    os.environ[LIMIT_VARIABLE] = "1000"
    try:
        return await _run(updates, kills, people, seed)
    finally:
        if previous is None:
            del os.environ[LIMIT_VARIABLE]
        else:
            os.environ[LIMIT_VARIABLE] = previous


async def _run(updates: int, kills: int, people: int, seed: int) -> tuple[str, bool]:
    from tests.harness import TOKEN, BotProcess

    example, _ = load_settings(EXAMPLE_CONFIG)
    emulator = BotApiEmulator(TOKEN, personas=personas_of(example))
    await emulator.start()
    errors = 0
    try:
        async with SimulatorClient(emulator.url) as sim:
            with tempfile.TemporaryDirectory() as directory:
                database = Path(directory) / "coproduce.sqlite3"
                bot = BotProcess(emulator, Path(directory))
                stress = Stress(sim, people, seed)
                await bot.start()
                # Everyone has a chat with the bot, and the group a message to press on.
                await asyncio.gather(*(stress.send(p, "/start") for p in stress.people))
                await stress.send(stress.people[0], "/start", GROUP_ID)
                await wait_until_handled(sim, database, 60)
                per_cycle = max(1, (updates - len(stress.update_ids)) // (kills + 1))
                killed = 0
                for _ in range(kills):
                    sending = asyncio.create_task(stress.burst(per_cycle))
                    await asyncio.sleep(stress.rng.uniform(0.05, 0.4))  # bursts in flight
                    await bot.kill()
                    killed += 1
                    await sending
                    await bot.start()
                while len(stress.update_ids) < updates:
                    await stress.burst(min(per_cycle, updates - len(stress.update_ids)))
                await wait_until_handled(sim, database, 120)
                await asyncio.sleep(1)  # the last replies and answers go out
                log = "".join(bot.log)
                await bot.kill()
                errors = (
                    log.count("event=handler_error")
                    + log.count("Traceback")
                    + log.count("level=CRITICAL")
                )
                with closing(sqlite3.connect(database)) as db:
                    handled = {
                        row[0]
                        for row in db.execute(
                            "SELECT update_id FROM inbox WHERE handled_at IS NOT NULL"
                        )
                    }
                lost_updates = len(set(stress.update_ids) - handled)
                lost_updates += await sim.pending_updates()
                answered: Counter[str] = Counter()
                for chat in {chat for chat, _ in stress.queries}:
                    for answer in await sim.user(
                        chat if chat > 0 else FIRST_PERSON
                    ).callback_answers(chat_id=chat):
                        answered[answer["callback_query_id"]] += 1
                lost_answers = sum(1 for _, q in stress.queries if answered[q] == 0)
                calls = await sim.calls("answerCallbackQuery")
                per_query = Counter(  # answers that reached the person (not refused)
                    c["params"].get("callback_query_id") for c in calls if c["status"] == 200
                )
                duplicates = sum(1 for n in per_query.values() if n > 1)
                duplicates += duplicated_words(database, stress.words)
                problems = invariants(database)
                if errors:
                    refused = Counter(
                        f"{c['method']} {c.get('description') or c.get('error') or c['status']}"
                        for c in await sim.calls()
                        if c["status"] not in (None, 200)
                    )
                    for call, times in refused.most_common():
                        print(f"stress: Bot API refused {times}x: {call}", file=sys.stderr)
                    for line in log.splitlines():
                        if "handler_error" in line or "CRITICAL" in line:
                            print(line, file=sys.stderr)
                for problem in problems:
                    print(f"stress: invariant broken: {problem}", file=sys.stderr)
                summary = (
                    f"stress: {len(stress.update_ids)} updates, {killed} kills, "
                    f"{errors} unhandled errors, {lost_answers} answers lost, "
                    f"{lost_updates} updates lost, {duplicates} duplicates"
                )
                ok = not (errors or lost_answers or lost_updates or duplicates or problems)
                return summary, ok
    finally:
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--seed", type=int, default=12)
    options = parser.parse_args()
    started = time.monotonic()
    summary, ok = asyncio.run(run(options.updates, options.kills, options.people, options.seed))
    print(f"stress: took {time.monotonic() - started:.0f} s", file=sys.stderr)
    print(summary)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
