"""The inbox and the flood gate, without Telegram: what is stored, replayed, marked, pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.messaging.flood import FloodGate, Verdict
from storage.database import Database
from storage.inbox import InboxStore, Received

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def update(update_id: int, person: int = 7) -> Received:
    return Received(update_id, person, {"update_id": update_id, "message": {"text": "hi"}})


async def test_an_update_is_stored_once_replayed_until_handled_then_kept_without_content(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "inbox.sqlite3")
    try:
        inbox = InboxStore(database)
        assert await inbox.receive([update(1), update(2)], NOW) == {1, 2}
        assert await inbox.receive([update(2), update(3)], NOW) == {3}  # a re-delivery
        assert [row.update_id for row in await inbox.unhandled()] == [1, 2, 3]
        with database.unit_of_work([inbox.handled([2], NOW)]) as unit:
            await database.finish(unit)
        assert [row.update_id for row in await inbox.unhandled()] == [1, 3]
        async with database.connection.execute(
            "SELECT person, payload FROM inbox WHERE update_id = 2"
        ) as cursor:
            assert tuple(await cursor.fetchone() or ()) == (None, None)
        assert await inbox.receive([update(2)], NOW) == set()  # still known: not queued again
    finally:
        await database.close()


async def test_handled_updates_go_after_a_day_and_unhandled_ones_stay(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "inbox.sqlite3")
    try:
        inbox = InboxStore(database)
        await inbox.receive([update(1), update(2)], NOW)
        with database.unit_of_work([inbox.handled([1], NOW)]) as unit:
            await database.finish(unit)
        assert await inbox.prune(NOW) == 0  # handled just now
        assert await inbox.prune(NOW + timedelta(days=1, seconds=1)) == 1
        assert [row.update_id for row in await inbox.unhandled()] == [2]
    finally:
        await database.close()


async def test_a_failed_transaction_keeps_its_riders_for_the_next_one(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "inbox.sqlite3")
    try:
        inbox = InboxStore(database)
        await inbox.receive([update(1)], NOW)
        with database.unit_of_work([inbox.handled([1], NOW)]) as unit:
            try:
                async with database.transaction() as connection:
                    await connection.execute("INSERT INTO no_such_table VALUES (1)")
            except Exception:
                pass
            assert not unit.committed
            await database.finish(unit)
            assert unit.committed
        assert await inbox.unhandled() == []
    finally:
        await database.close()


def test_the_flood_gate_admits_a_minutes_worth_then_warns_once_per_minute() -> None:
    gate = FloodGate(per_minute=3)
    assert [gate.check(7, t) for t in (0, 1, 2)] == [Verdict.ADMIT] * 3
    assert gate.check(7, 3) is Verdict.REFUSE_AND_WARN
    assert gate.check(7, 4) is Verdict.REFUSE
    assert gate.check(8, 4) is Verdict.ADMIT  # someone else is not affected
    assert gate.check(7, 60.5) is Verdict.ADMIT  # the first of the three is a minute old
    assert gate.check(7, 60.6) is Verdict.REFUSE  # three in the last minute; warned already
    assert [gate.check(7, t) for t in (130, 131, 132)] == [Verdict.ADMIT] * 3
    assert gate.check(7, 133) is Verdict.REFUSE_AND_WARN  # a new minute: told again
