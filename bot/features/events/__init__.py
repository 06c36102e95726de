"""Events: workshops and listening events people join by scanning a QR code (the ``ev_`` deep
link); /event new, /event close (opens the event's after survey for its attendees) and
/events for admins. Its table with personal data: ``event_attendance`` (who was there)."""

from bot.features import ADMINS, Command, DeepLink, Feature, PersonalData
from bot.features.events import handlers, service
from bot.features.surveys import service as surveys

FEATURE = Feature(
    name="events",
    commands=(
        Command(
            "event",
            "Workshops: /event new NAME (a QR code to join), /event close CODE",
            ADMINS,
            handlers.event_command,
        ),
        Command(
            "events",
            "Events, with attendance and surveys answered",
            ADMINS,
            handlers.events_command,
        ),
    ),
    deep_links=(DeepLink(service.LINK_PREFIX, handlers.on_event_link),),
    follow_ups=(surveys.EVENT_INVITES,),
    personal_data=(PersonalData("event_attendance"),),
)
