"""Stats: /stats for commissioners and admins, and the form progress behind its funnel."""

from bot.features import STAFF, Command, Feature, PersonalData
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
                Role.COMMISSIONER: (
                    "Figures for your areas: sign-ups, needs, where people stop, surveys"
                ),
                Role.ADMIN: (
                    "Figures: sign-ups by sector and area, needs, where people stop, surveys"
                ),
            },
            menu_labels={
                Role.COMMISSIONER: "Figures for my areas",
                Role.ADMIN: "Figures",
            },
        ),
    ),
    # How far each person got through each form: the completion funnel's raw facts.
    personal_data=(PersonalData("form_progress"), PersonalData("form_submissions")),
)
