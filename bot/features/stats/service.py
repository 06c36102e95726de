"""Figures for staff, in plain words for a phone: an overview (sign-ups, needs, challenge
answers, surveys), needs by theme, status and urgency, the completion funnel of each form,
and the surveys' before and after. No Telegram here.

Commissioners see their own areas only, and any count of people under
``programme.min_group_size`` is shown as "fewer than N" (the survey report's rule); admins
see everything. Every section can be narrowed to one event's attendees.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core import Core
from bot.features.needs import service as needs_service
from bot.features.surveys import service as surveys
from bot.reports.funnel import Funnel, Progress, Step, funnel, where_people_stop
from bot.reports.uplift import counted_people, shown, too_few
from bot.roles import Role
from conversations.forms import Form
from conversations.onboarding import ONBOARDING
from conversations.survey import FORM_NAMES
from storage.progress import AT_SUMMARY
from storage.scope import Scope

__all__ = [
    "SECTIONS",
    "USAGE",
    "Audience",
    "Request",
    "audience_of",
    "funnel_report",
    "needs_report",
    "overview",
    "parse_request",
    "surveys_report",
]

SECTIONS = ("overview", "needs", "funnel", "surveys")
USAGE = (
    "Use: /stats, or /stats followed by one of overview, needs, funnel or surveys, and "
    "event=CODE to count only that event's attendees. For example: /stats funnel, or "
    "/stats needs event=spring24"
)
NO_THEME = "No theme found"


@dataclass(frozen=True)
class Request:
    """What /stats was asked for: a section, and an event code to narrow it to (or None)."""

    section: str = "overview"
    event: str | None = None


def parse_request(args: Sequence[str]) -> Request | None:
    """``[section] [event=CODE]`` in either order; None if anything else was typed."""
    section, event = None, None
    for arg in args:
        name, equals, value = arg.partition("=")
        if equals and name.lower() == "event" and value and event is None:
            event = value
        elif not equals and arg.lower() in SECTIONS and section is None:
            section = arg.lower()
        else:
            return None
    return Request(section or "overview", event)


@dataclass(frozen=True)
class Audience:
    """Whose figures someone sees, and how: the scope, the smallest count of people shown
    (None: every figure), and the heading that says which figures these are."""

    scope: Scope
    min_group_size: int | None
    heading: str
    attendees: frozenset[int] | None = None  # an event's, when narrowed to one

    def count(self, people: int) -> str:
        return shown(people, min_group_size=self.min_group_size)

    def footnote(self) -> list[str]:
        if self.min_group_size is None:
            return []
        return [
            "",
            f"<i>To keep everyone anonymous, a count of fewer than {self.min_group_size} "
            f'people is shown as "fewer than {self.min_group_size}".</i>',
        ]


async def audience_of(core: Core, user_id: int, event_code: str | None) -> Audience | None:
    """What ``user_id`` may see: an admin everything, a commissioner their areas with small
    figures withheld. None if there is no event ``event_code``."""
    programme = core.settings.programme
    area_names = {area.key: area.name for area in programme.areas}
    if core.roles.role_of(user_id) is Role.ADMIN:
        areas, min_group_size, where = None, None, "every area"
    else:
        areas = frozenset(core.roles.areas_of(user_id))
        min_group_size = programme.min_group_size
        where = " and ".join(area_names.get(key, key) for key in sorted(areas)) or "no areas"
    if event_code is None:
        return Audience(Scope(areas), min_group_size, where)
    event = await core.events.get(event_code)
    if event is None:
        return None
    attendees = frozenset(await core.events.attendees(event.code))
    return Audience(
        Scope(areas, event.code),
        min_group_size,
        f"{where}, people who came to {event.name}",
        attendees,
    )


def _named(counts: Mapping[str, int], names: Mapping[str, str]) -> list[tuple[str, int]]:
    """The non-zero counts, named and in the config's order; keys the config lacks last."""
    known = [(names[key], counts[key]) for key in names if counts.get(key)]
    return known + [
        (key, counts[key]) for key in sorted(counts) if key not in names and counts[key]
    ]


def _section(
    title: str, rows: list[tuple[str, int]], write: Callable[[int], str], empty: str
) -> list[str]:
    lines = ["", f"<b>{html.escape(title)}</b>"]
    return lines + ([f"{html.escape(name)}: {write(n)}" for name, n in rows] or [empty])


async def overview(core: Core, audience: Audience) -> str:
    """Sign-ups by sector and area, and how many needs, challenge answers and surveys."""
    programme = core.settings.programme
    profiles = await core.stats.profiles(audience.scope)
    by_sector: Counter[str] = Counter()
    by_area: Counter[str] = Counter()
    for profile in profiles:
        by_sector[profile.sector] += profile.people
        by_area[profile.area] += profile.people
    needs = await core.stats.needs(audience.scope)
    challenges = {row.challenge: row for row in await core.stats.challenges(audience.scope)}
    waves = await core.stats.survey_waves(audience.scope)
    lines = [
        f"<b>Figures for {html.escape(audience.heading)}</b>",
        f"Signed up: {audience.count(by_sector.total())}",
    ]
    sectors = {sector.key: sector.name for sector in programme.sectors}
    areas = {area.key: area.name for area in programme.areas}
    lines += _section("By sector", _named(by_sector, sectors), audience.count, "No one yet.")
    lines += _section("By area", _named(by_area, areas), audience.count, "No one yet.")
    lines += ["", f"<b>Needs voiced</b>: {needs.total}", "", "<b>Challenge answers</b>"]
    for challenge in programme.challenges:
        row = challenges.get(challenge.key)
        answers, people = (row.answers, row.people) if row else (0, 0)
        lines.append(f"{html.escape(challenge.title)}: {_answers_from(answers, people, audience)}")
    lines += [
        "",
        "<b>Surveys answered</b>",
        f"Before: {audience.count(waves.before)}",
        f"After: {audience.count(waves.after)}",
        f"Both: {audience.count(waves.both_waves)}",
        *audience.footnote(),
    ]
    return "\n".join(lines)


def _answers_from(answers: int, people: int, audience: Audience) -> str:
    """How many answered, "7 answers from 5 people"; answers kept anonymously after /forget
    count as answers, from no one."""
    if not answers:
        return "no answers yet"
    if too_few(people, min_group_size=audience.min_group_size):
        return f"answers from fewer than {audience.min_group_size} people"
    counted = f"{answers} {'answer' if answers == 1 else 'answers'}"
    return f"{counted} from {counted_people(people)}" if people else counted


async def needs_report(core: Core, audience: Audience) -> str:
    """Needs by theme, status and urgency."""
    programme = core.settings.programme
    needs = await core.stats.needs(audience.scope)
    themes = {**needs.by_theme, NO_THEME: needs.without_theme}
    theme_names = {theme.key: theme.name for theme in programme.themes}
    theme_names[NO_THEME] = NO_THEME
    status_names = {key: name.capitalize() for key, name in needs_service.STAFF_STATUS.items()}
    urgency_names = {option.key: option.label for option in programme.need_form.urgency_options}
    lines = [f"<b>Needs: {html.escape(audience.heading)}</b>", f"Voiced: {needs.total}"]
    none = "None yet."
    lines += _section("By theme", _named(themes, theme_names), str, none)
    if needs.total > 1:
        lines.append("<i>A need can have more than one theme.</i>")
    lines += _section("By status", _named(needs.by_status, status_names), str, none)
    lines += _section("By urgency", _named(needs.by_urgency, urgency_names), str, none)
    return "\n".join(lines)


def _title(form: Form) -> str:
    """The form's name as staff know it: the profile form is sign-up, and the two surveys
    share a title, so say which."""
    waves = {name: wave for wave, name in FORM_NAMES.items()}
    if form.name == ONBOARDING:
        return "Sign-up"
    return f"{form.title} ({waves[form.name]})" if form.name in waves else form.title


def _form_funnel(form: Form, people: Iterable[Progress]) -> Funnel:
    steps = [Step(step.key, step.label) for step in form.steps]
    return funnel([*steps, Step(AT_SUMMARY, "Check your answers")], people)


async def funnel_report(core: Core, audience: Audience, forms: Sequence[Form]) -> list[str]:
    """The completion funnel of each form: an introduction, then a message per form that
    someone has started."""
    people_of: dict[str, list[Progress]] = {}
    for row in await core.stats.progress(audience.scope):
        people_of.setdefault(row.form, []).append(Progress(row.reached, row.submitted, row.people))
    shown_forms = list(forms)
    intro = [
        f"<b>How far people get: {html.escape(audience.heading)}</b>",
        "For each form: how many people started it, reached each step and sent it, "
        "and where those who stop do so.",
    ]
    if audience.scope.areas is not None:
        intro.append("Sign-up is not shown: people choose their area at its last step.")
        shown_forms = [form for form in forms if form.name != ONBOARDING]
    messages, untouched = [], []
    for form in shown_forms:
        figures = _form_funnel(form, people_of.get(form.name, []))
        if not figures.started:
            untouched.append(_title(form))
            continue
        messages.append(_funnel_text(_title(form), figures, audience))
    if untouched:
        intro += ["", "Not started by anyone yet: " + html.escape(", ".join(untouched)) + "."]
    intro += audience.footnote()
    return ["\n".join(intro), *messages]


def _funnel_text(title: str, figures: Funnel, audience: Audience) -> str:
    lines = [f"<b>{html.escape(title)}</b>", f"Started: {audience.count(figures.started)}"]
    *steps, summary = figures.steps
    lines += [
        f"{number}. {html.escape(step.step.label)}: {audience.count(step.reached)}"
        for number, step in enumerate(steps, 1)
    ]
    lines += [
        f"Checked their answers: {audience.count(summary.reached)}",
        f"Sent: {audience.count(figures.submitted)}",
        html.escape(where_people_stop(figures, min_group_size=audience.min_group_size)),
    ]
    return "\n".join(lines)


async def surveys_report(core: Core, audience: Audience) -> surveys.SurveyReport:
    """Who answered each survey wave, then the before and after results (with charts)."""
    waves = await core.stats.survey_waves(audience.scope)
    report = await surveys.survey_report(
        core,
        areas=audience.scope.areas,
        min_group_size=audience.min_group_size,
        people=audience.attendees,
    )
    lines = [
        f"<b>Surveys: {html.escape(audience.heading)}</b>",
        f"Answered the before survey: {audience.count(waves.before)}",
        f"Answered the after survey: {audience.count(waves.after)}",
        f"Answered both: {audience.count(waves.both_waves)}",
        "",
        report.text,
        *audience.footnote(),
    ]
    return surveys.SurveyReport("\n".join(lines), report.charts)
