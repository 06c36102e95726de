"""``coproduce demo``: the unmodified bot against the embedded simulator, with a web chat."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.app import running_bot, until_signalled
from bot.config import Settings
from bot.simulator import BotApiEmulator, Persona

DEMO_TOKEN = "123456789:coproduce-demo-token"


def demo_settings(settings: Settings, emulator: BotApiEmulator, data_dir: Path) -> Settings:
    """``settings`` pointed at the simulator, with the database under ``data_dir``."""
    telegram = settings.telegram.model_copy(
        update={
            "token": SecretStr(DEMO_TOKEN),
            "base_url": emulator.api_base_url,
            "base_file_url": emulator.file_base_url,
            "mode": "polling",
        }
    )
    storage = settings.storage.model_copy(update={"path": data_dir / "coproduce-demo.sqlite3"})
    return settings.model_copy(update={"telegram": telegram, "storage": storage})


def personas_of(settings: Settings) -> list[Persona]:
    """The simulator's personas as the config describes them."""
    return [Persona(**persona.model_dump()) for persona in settings.simulator.personas]


async def run_demo(settings: Settings, *, data_dir: Path, port: int) -> None:
    """Serve the simulator on ``port`` and run the bot against it until Ctrl-C."""
    emulator = BotApiEmulator(DEMO_TOKEN, port=port, personas=personas_of(settings))
    await emulator.start()
    try:
        async with running_bot(demo_settings(settings, emulator, data_dir)):
            print(f"coproduce demo is running: open {emulator.url}/ in your browser.", flush=True)
            print("Pick a persona at the top of the page. Press Ctrl-C here to stop.", flush=True)
            await until_signalled()
    finally:
        await emulator.stop()
    print("coproduce demo stopped.")
