"""A Bot API emulator, its control-API client and a web chat page, for demos and tests."""

from bot.simulator.client import SimMessage, SimulatorClient, SimUser
from bot.simulator.server import BotApiEmulator
from bot.simulator.state import Persona

__all__ = ["BotApiEmulator", "Persona", "SimMessage", "SimUser", "SimulatorClient"]
