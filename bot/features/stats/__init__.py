"""Stats: /stats for commissioners and admins."""

from bot.features import STAFF, Command, Feature
from bot.features.stats import handlers

FEATURE = Feature(
    name="stats",
    commands=(
        Command("stats", "Figures: sign-ups, and /stats surveys", STAFF, handlers.stats_command),
    ),
)
