"""Stats: /stats for commissioners and admins."""

from bot.features import STAFF, Command, Feature
from bot.features.stats import handlers
from bot.roles import Role

FEATURE = Feature(
    name="stats",
    commands=(
        Command(
            "stats",
            "Figures for the programme",
            STAFF,
            handlers.stats_command,
            descriptions={
                Role.COMMISSIONER: "Survey results: before and after, for your areas",
                Role.ADMIN: "Sign-ups by sector and area; /stats surveys for survey results",
            },
            menu_labels={
                Role.COMMISSIONER: "Survey results for my areas",
                Role.ADMIN: "Sign-ups",
            },
        ),
    ),
)
