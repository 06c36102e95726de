"""Challenges: the programme's two challenges, each a form in the main menu; every answer is
kept. Its table with personal data: ``challenge_answers``."""

from bot.features import Feature, PersonalData
from bot.features.challenges import service

FEATURE = Feature(
    name="challenges",
    forms=service.forms,
    personal_data=(PersonalData("challenge_answers", contribution=True),),
)
