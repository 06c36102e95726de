"""Exports: /export for commissioners (needs and challenge answers of their areas) and admins
(everything), as XLSX, CSV or JSON, people pseudonymised; ``coproduce export`` on the server.
Its own table: ``export_secret`` (the pseudonym key, no personal data)."""

from bot.features import STAFF, Command, Feature
from bot.features.exports import handlers
from bot.roles import Role

FEATURE = Feature(
    name="exports",
    commands=(
        Command(
            "export",
            "The data as a file: /export [what] [xlsx|csv|json] [area=] [since=] [event=]",
            STAFF,
            handlers.export_command,
            descriptions={
                Role.COMMISSIONER: "Needs and challenge answers for your areas, as a file",
                Role.ADMIN: "The data as a file: /export [what] [xlsx|csv|json] [options]",
            },
        ),
    ),
)
