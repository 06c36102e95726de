"""Privacy: /privacy, /mydata, /forget, /stop, and the daily retention job that erases people
inactive for longer than the programme keeps data.

Staff's own actions are kept on erasure as accountability records: who did what in the audit
log (``audit_log.actor_id``), and who created an event or a broadcast (``created_by``)."""

from datetime import time

from bot.features import EVERYONE, Button, Command, Feature, Job
from bot.features.privacy import handlers

FEATURE = Feature(
    name="privacy",
    commands=(
        Command("privacy", "How we use your information", EVERYONE, handlers.privacy_command),
        Command(
            "mydata",
            "Get a copy of everything we hold about you",
            EVERYONE,
            handlers.mydata_command,
        ),
        Command("forget", "Erase everything we hold about you", EVERYONE, handlers.forget_command),
        Command("stop", "No more reminders or follow-ups", EVERYONE, handlers.stop_command),
    ),
    buttons=(Button(handlers.FORGET_PATTERN, handlers.on_forget_button),),
    jobs=(Job("retention", handlers.erase_expired, daily_at=time(3, 30)),),
)
