"""Broadcast: /broadcast for admins, a message to everyone, an area, a sector or an event's
attendees (never to people who sent /stop), sent through the outbox; the admin is told how it
went once it has all gone. Its table: ``broadcasts`` (what admins sent; no one's data)."""

from bot.features import ADMINS, Button, Command, Feature
from bot.features.broadcast import handlers, service

FEATURE = Feature(
    name="broadcast",
    commands=(
        Command(
            "broadcast",
            "Send a message to everyone, an area, a sector or an event",
            ADMINS,
            handlers.broadcast_command,
        ),
    ),
    buttons=(Button(handlers.BROADCAST_PATTERN, handlers.on_broadcast_button),),
    typed_first=handlers.take_typed_text,
    due=(service.report_broadcasts,),
    follow_ups=(service.BROADCASTS,),
)
