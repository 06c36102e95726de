"""Surveys: the before and after confidence surveys, /wave, and the uplift report that
/stats shows. Its table with personal data: ``survey_answers``."""

from bot.features import ADMINS, Command, Feature, PersonalData
from bot.features.surveys import handlers, service

FEATURE = Feature(
    name="surveys",
    commands=(Command("wave", "Open or close a survey wave", ADMINS, handlers.wave_command),),
    forms=service.forms,
    due=(service.invite_to_after_survey,),
    follow_ups=(service.AFTER_INVITES, service.AFTER_REMINDERS),
    personal_data=(PersonalData("survey_answers", contribution=True),),
)
