"""Settings: the TOML config file, overridden by ``COPRODUCE_*`` environment variables.

Everything a programme may word differently lives here, validated by pydantic, so a second
local authority runs the same code with its own file. Defaults come from the Knowsley seed.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot import theme_examples

DEFAULT_CONFIG_PATH = Path("config.toml")
EXAMPLE_CONFIG_PATH = Path("config.example.toml")


class ConfigError(Exception):
    """The config cannot be used; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramSettings(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr = SecretStr("")

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_accepts_secret(cls, secret: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", secret.get_secret_value()):
            raise ValueError("use 1 to 256 of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return secret

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramSettings:
        if self.mode == "webhook" and not self.webhook_url:
            raise ValueError("mode 'webhook' needs telegram.webhook_url")
        return self


class StorageSettings(_Section):
    path: Path = Path("coproduce.sqlite3")


class Limits(_Section):
    """How fast people may write to the bot, and how fast it writes to Telegram."""

    # From one person: beyond this, one notice and the rest of the minute is ignored.
    messages_per_minute: int = Field(default=30, ge=1, le=1000)
    # Messages the bot sends per second, in all: Telegram's limit for a bot is about 30.
    sends_per_second: float = Field(default=30.0, gt=0, le=1000)


class Area(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    name: str = Field(min_length=1)
    neighbourhoods: list[str] = []


class Sector(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    name: str = Field(min_length=1)


class ReportGroup(_Section):
    name: str = Field(min_length=1)
    sectors: list[str] = Field(min_length=1)


class Option(_Section):
    """One answer people can tap: ``key`` is stored, ``label`` is shown."""

    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str = Field(min_length=1, max_length=60)


class ChallengePart(_Section):
    """One question of a challenge: its answer is a list of up to three, or a text."""

    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str = Field(min_length=1, max_length=40)
    prompt: str = Field(min_length=1)


class Challenge(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    # "lists": each part takes up to three items; "texts": each part is optional text,
    # and at least one must be answered.
    answer_as: Literal["lists", "texts"]
    parts: list[ChallengePart] = Field(min_length=1, max_length=5)


class NeedForm(_Section):
    """The words of the "voice a local need" form."""

    title: str = "Voice a local need"
    intro: str = (
        "Tell us about something children and families in your area need. "
        "It takes about two minutes, and you can stop and come back at any time."
    )
    where_prompt: str = "Where is the need?"
    what_prompt: str = "What is the need? Tell us in your own words."
    who_prompt: str = "Who is affected?"
    who_options: list[Option] = Field(
        default_factory=lambda: [
            Option(key="under_fives", label="Babies and under-fives"),
            Option(key="parents_carers", label="Parents and carers"),
            Option(key="young_people", label="Young people"),
            Option(key="families", label="Families"),
            Option(key="disabled_children", label="Disabled children"),
            Option(key="other", label="Other"),
        ],
        min_length=1,
    )
    evidence_prompt: str = "How do you know about this need?"
    urgency_prompt: str = "How urgent is it?"
    urgency_options: list[Option] = Field(
        default_factory=lambda: [
            Option(key="low", label="Low"),
            Option(key="medium", label="Medium"),
            Option(key="high", label="High"),
        ],
        min_length=1,
    )
    help_prompt: str = "Could your group help deliver it?"
    help_options: list[Option] = Field(
        default_factory=lambda: [
            Option(key="yes", label="Yes"),
            Option(key="with_support", label="Yes, with support"),
            Option(key="no", label="No"),
        ],
        min_length=1,
    )


class Theme(_Section):
    """A theme, and how needs and answers are recognised as being about it.

    Matching is explained in ``conversations/themes.py``. In short: a keyword is one word
    written as its stem ("volunteer" also matches "volunteers", "volunteering"), never part of
    a longer word ("fund" does not match "fundamental"); a phrase is several words in a row,
    matched the same way. A keyword found scores 2, a phrase 3, unless ``weights`` gives that
    term another weight; the theme is tagged when its score reaches ``threshold``.
    """

    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    name: str = Field(min_length=1)
    description: str = ""
    # Sentences about the theme, in the words people use: the tagger learns the theme from them
    # (and from labelled sentences and /retag corrections).
    examples: list[str] = []
    keywords: list[str] = []
    phrases: list[str] = []
    weights: dict[str, int] = {}
    threshold: int = Field(default=2, ge=1, le=20)

    @field_validator("keywords")
    @classmethod
    def _keywords_are_words(cls, keywords: list[str]) -> list[str]:
        bad = [k for k in keywords if not re.fullmatch(r"[a-z0-9]+", k)]
        if bad:
            raise ValueError(f"write each keyword as one word in a-z, 0-9: {', '.join(bad)}")
        return keywords

    @field_validator("phrases")
    @classmethod
    def _phrases_are_words(cls, phrases: list[str]) -> list[str]:
        bad = [p for p in phrases if not re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)+", p)]
        if bad:
            raise ValueError(
                "write each phrase as two or more words in a-z, 0-9, one space apart: "
                + ", ".join(repr(p) for p in bad)
            )
        return phrases

    @model_validator(mode="after")
    def _weights_name_known_terms(self) -> Theme:
        terms = [*self.keywords, *self.phrases]
        repeated = sorted({t for t in terms if terms.count(t) > 1})
        if repeated:
            raise ValueError(f"theme {self.key}: terms listed twice: {', '.join(repeated)}")
        unknown = sorted(set(self.weights) - set(terms))
        if unknown:
            raise ValueError(
                f"theme {self.key}: weights for terms not in keywords or phrases: "
                + ", ".join(unknown)
            )
        out_of_range = sorted(t for t, w in self.weights.items() if not 0 <= w <= 10)
        if out_of_range:
            raise ValueError(
                f"theme {self.key}: weights must be 0 to 10: {', '.join(out_of_range)}"
            )
        return self


_SEED_NONE_EXAMPLES = theme_examples.NONE


class ThemeTagging(_Section):
    """How texts are tagged with themes (see ``ThemeTagger`` in ``conversations/themes.py``).

    ``none_examples`` are texts about none of the themes (a gap in services, a greeting);
    ``labelled_sentences`` learns from the sentences shipped with coproduce too (labelled with
    the seed's theme keys); ``min_score``, when set, is the model score the first theme needs.
    """

    none_examples: list[str] = Field(default_factory=lambda: list(_SEED_NONE_EXAMPLES))
    labelled_sentences: bool = True
    min_score: float | None = Field(default=None, ge=-5, le=5)


class SurveyItem(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    question: str = Field(min_length=1)


class Survey(_Section):
    items: list[SurveyItem] = Field(min_length=1)
    scale_labels: list[str] = Field(min_length=5, max_length=5)
    after_days: int = Field(default=42, ge=1, le=365)
    # "More positive" compares the mean of all items; name one item to compare it alone.
    uplift_item: str | None = None

    @model_validator(mode="after")
    def _uplift_item_is_an_item(self) -> Survey:
        if self.uplift_item is not None and self.uplift_item not in {i.key for i in self.items}:
            raise ValueError(f"uplift_item {self.uplift_item!r} is not one of the survey items")
        return self


class Schedules(_Section):
    digest_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # A digest with no new needs and no challenge answers: one line saying so, or nothing.
    empty_digest: Literal["line", "nothing"] = "line"
    nudge_after_hours: int = Field(default=24, ge=1, le=24 * 14)
    quiet_hours_start: str = Field(default="21:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    quiet_hours_end: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # A form left untouched this long is discarded, with one message saying so.
    draft_expiry_days: int = Field(default=14, ge=1, le=365)


def _seed_areas() -> list[Area]:
    return [
        Area(
            key="knowsley",
            name="Knowsley",
            neighbourhoods=["Huyton", "Kirkby", "Prescot", "Whiston", "Halewood", "Stockbridge"],
        )
    ]


def _seed_sectors() -> list[Sector]:
    return [
        Sector(key="vcs", name="Voluntary or community group"),
        Sector(key="childrens_centre", name="Children's centre"),
        Sector(key="local_authority", name="Local authority"),
        Sector(key="other", name="Other"),
    ]


def _seed_report_groups() -> list[ReportGroup]:
    return [
        ReportGroup(name="VCS and local authority", sectors=["vcs", "local_authority"]),
        ReportGroup(name="Children's centres", sectors=["childrens_centre"]),
    ]


def _seed_challenges() -> list[Challenge]:
    return [
        Challenge(
            key="challenge_1",
            title="Challenge 1",
            prompt=(
                "For a collaborative working model (social enterprise) what are the three "
                "essential things that have worked in the past and the three essential things "
                "you need for the future?"
            ),
            answer_as="lists",
            parts=[
                ChallengePart(
                    key="worked",
                    label="Worked in the past",
                    prompt="What are the three essential things that have worked in the past?",
                ),
                ChallengePart(
                    key="needed",
                    label="Needed for the future",
                    prompt="What are the three essential things you need for the future?",
                ),
            ],
        ),
        Challenge(
            key="challenge_2",
            title="Challenge 2",
            prompt=(
                "How can community and voluntary groups become better able to voice local need, "
                "enable children's centres/others to commission services to address needs and "
                "develop the capacity to deliver?"
            ),
            answer_as="texts",
            parts=[
                ChallengePart(
                    key="voice_need",
                    label="Voicing local need",
                    prompt="How can community and voluntary groups become better able to "
                    "voice local need?",
                ),
                ChallengePart(
                    key="enable_commissioning",
                    label="Enabling commissioning",
                    prompt="How can children's centres and others be enabled to commission "
                    "services to address those needs?",
                ),
                ChallengePart(
                    key="capacity",
                    label="Capacity to deliver",
                    prompt="How can groups develop the capacity to deliver?",
                ),
            ],
        ),
    ]


def _seed_themes() -> list[Theme]:
    # fmt: off
    return [
        Theme(
            key="performance_management",
            name="Performance management",
            description="Information flows up and down about meeting needs local groups identify.",
            examples=list(theme_examples.PERFORMANCE_MANAGEMENT),
            keywords=[
                "monitor", "feedback", "outcome", "target", "kpi", "measure", "evidence", "data",
                "statistic", "evaluation", "evaluate", "impact", "report", "attendance", "figure",
                "number", "information", "quarterly", "result",
            ],
            phrases=[
                "information flow", "hear back", "heard back", "hear anything back",
                "heard anything back", "hear nothing back", "pass it on", "pass on",
                "difference we make", "quarterly return", "need assessment", "case study",
                "local intelligence", "nobody ask", "no one ask", "nobody tell", "no one tell",
                "never told", "never been told",
            ],
            weights={
                "data": 1, "figure": 1, "number": 1, "information": 1, "quarterly": 1,
                "result": 1, "nobody ask": 2, "no one ask": 2, "nobody tell": 2, "no one tell": 2,
                "never told": 2, "never been told": 2,
            },
        ),
        Theme(
            key="community_engagement",
            name="Community engagement",
            description="Ownership, and recruiting, supporting and keeping volunteers.",
            examples=list(theme_examples.COMMUNITY_ENGAGEMENT),
            keywords=[
                "volunteer", "dbs", "recruit", "retain", "retention", "ownership", "outreach",
                "participation", "participate", "befriend", "engage", "involved", "committee",
            ],
            phrases=[
                "get involved", "community engagement", "word of mouth", "run it themselves",
                "run by parents", "parent led", "peer support", "thank you", "local people",
                "parent champion", "community champion", "parent forum", "hard to reach",
            ],
            weights={
                "engage": 1, "committee": 1, "local people": 1, "thank you": 1,
            },
        ),
        Theme(
            key="partnership_working",
            name="Partnership working",
            description="Good relationships with children's centres; shared values and goals.",
            examples=list(theme_examples.PARTNERSHIP_WORKING),
            keywords=[
                "partner", "partnership", "collaborate", "collaboration", "collaborative",
                "referral", "refer", "signpost", "relationship", "alongside", "ethos",
                "duplication", "together", "premises", "trust", "compete", "network", "share",
            ],
            phrases=[
                "joint working", "work together", "work with each other", "let us use",
                "share premises", "share a building", "share the building", "share value",
                "common goal", "same value", "other group", "same thing", "centre manager",
                "health visitor", "work with", "send families", "with the centre",
                "with the children centre",
            ],
            weights={
                "together": 1, "premises": 1, "trust": 1, "compete": 1, "network": 1,
                "other group": 1, "same thing": 1, "centre manager": 1, "health visitor": 1,
                "share": 1, "work with": 1, "with the centre": 1, "with the children centre": 1,
                "send families": 2,
            },
        ),
        Theme(
            key="la_offer_and_vision",
            name="Local authority offer and vision",
            description="Help with tendering, funding bids, governance, policies and procedures.",
            examples=list(theme_examples.LA_OFFER_AND_VISION),
            keywords=[
                "governance", "constitution", "policy", "procedure", "trustee", "grant", "fund",
                "lottery", "insurance", "fee", "legal", "council", "charity", "cic", "advise",
                "advice", "safeguard", "bid", "tender", "application", "foundation", "vision",
                "strategy",
            ],
            phrases=[
                "local authority", "funding bid", "bid writing", "legal structure",
                "charitable status", "policy and procedure",
            ],
            weights={
                "council": 1, "safeguard": 1, "charity": 1, "cic": 1, "advise": 1, "advice": 1,
                "bid": 1, "tender": 1, "application": 1, "foundation": 1, "vision": 1,
                "strategy": 1, "local authority": 1,
            },
        ),
        Theme(
            key="localised_commissioning",
            name="Localised commissioning",
            description="Sharing plans and commissioning services out quickly and simply.",
            examples=list(theme_examples.LOCALISED_COMMISSIONING),
            keywords=[
                "commission", "contract", "tender", "procure", "specification", "spec", "invoice",
                "payment", "sla", "deadline", "portal", "bid",
            ],
            phrases=[
                "tender process", "buy in", "be paid", "paid late", "service level agreement",
                "future plan", "share plan", "share their plan", "share your plan",
            ],
            weights={
                "deadline": 1, "portal": 1, "bid": 1, "be paid": 2,
            },
        ),
        Theme(
            key="change_management",
            name="Change management",
            description="Growing small community providers into robust ones: skills and capacity.",
            examples=list(theme_examples.CHANGE_MANAGEMENT),
            keywords=[
                "capacity", "robust", "mentor", "skill", "train", "marketing", "grow", "growth",
                "succession", "retire", "restructure", "reorganise", "reorganisation", "merge",
                "coach", "treasurer", "account", "leadership", "bookkeeping", "business", "admin",
                "finance", "price", "big", "change",
            ],
            phrases=[
                "business plan", "business skill", "cash flow", "social enterprise", "scale up",
                "part time", "take on", "capacity building", "new structure",
            ],
            weights={
                "admin": 1, "finance": 1, "price": 1, "big": 1, "change": 1, "part time": 1,
                "take on": 1, "treasurer": 1, "account": 1,
            },
        ),
    ]
    # fmt: on


def _seed_survey() -> Survey:
    return Survey(
        items=[
            SurveyItem(
                key="voice_need",
                question="How confident are you that your group can voice local need to "
                "commissioners?",
            ),
            SurveyItem(
                key="understand_commissioning",
                question="How well do you understand how children's centre services are "
                "commissioned?",
            ),
            SurveyItem(
                key="capacity_to_deliver",
                question="How would you rate your group's capacity to deliver services?",
            ),
            SurveyItem(
                key="partners_together",
                question="How well do partners work together in your area?",
            ),
            SurveyItem(
                key="positive_about_challenges",
                question="How positive do you feel about tackling the key challenges?",
            ),
        ],
        scale_labels=["Not at all", "A little", "Somewhat", "Quite", "Very"],
    )


DEFAULT_PRIVACY_NOTICE = """\
How this bot uses your information.

What we keep: your name, your organisation, its sector and area, and what you tell us \
here: local needs, your answers to the two challenges, and the confidence surveys.

Who sees it: the programme team. Commissioners see the needs raised in their areas, and \
survey figures only for groups of {min_group_size} or more people, never one person's answers.

Why: so commissioners hear what local groups need, and the programme can tell whether it \
is helping.

Your choices: /mydata sends you everything we hold about you, /forget erases it, and \
/stop turns off reminders. We delete personal data after {retention} without activity."""


_NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(days: int) -> str:
    """A retention period as people say it: "two years", "18 months", "90 days"."""

    def counted(count: int, unit: str) -> str:
        number = _NUMBERS[count] if count < len(_NUMBERS) else f"{count:,}"
        return f"{number} {unit}{'' if count == 1 else 's'}"

    if days % 365 == 0 or days % 366 == 0:
        return counted(days // 365, "year")
    if (days >= 60 and days % 30 in (0, 1)) or days in (91, 182, 183, 273, 274):
        return counted(round(days / 30.4), "month")
    if days % 7 == 0 and days < 60:
        return counted(days // 7, "week")
    return f"{days:,} days"


class Privacy(_Section):
    """The privacy notice people agree to; a new version asks everyone again."""

    version: int = Field(default=1, ge=1, le=999_999)
    # {min_group_size}, {retention} ("two years") and {retention_days} ("730") are filled in
    # from the programme settings.
    notice: str = Field(default=DEFAULT_PRIVACY_NOTICE, min_length=1, max_length=3000)

    @field_validator("notice")
    @classmethod
    def _placeholders_known(cls, notice: str) -> str:
        try:
            notice.format(min_group_size=5, retention_days=730, retention="two years")
        except (KeyError, IndexError, ValueError):
            raise ValueError(
                "only {min_group_size}, {retention} and {retention_days} may stand in braces; "
                "write other braces as {{ and }}"
            ) from None
        return notice


# Menu items and form names the bot uses itself: a challenge may not take one as its key.
RESERVED_KEYS = frozenset(
    {
        "onboarding",
        "profile",
        "privacy",
        "resume",
        "survey",
        "survey_again",
        "survey_keep",
        "survey_before",
        "survey_after",
        "need",
    }
)
# Telegram shows at most 100 buttons under a message; places are one button each.
MAX_PLACES = 90


class Programme(_Section):
    """The programme's own words and lists: what a second local authority changes."""

    name: str = "Children's Centres and VCS co-production programme"
    welcome: str = Field(
        default=(
            "This bot helps voluntary and community groups, children's centres and the people "
            "who commission services work together on what families in your area need."
        ),
        max_length=600,
    )
    organisation_hint: str = Field(
        default="For example: Kirkby Mums' Group, Huyton Children's Centre.", max_length=200
    )
    areas: list[Area] = Field(default_factory=_seed_areas, min_length=1)
    sectors: list[Sector] = Field(default_factory=_seed_sectors, min_length=1)
    report_groups: list[ReportGroup] = Field(default_factory=_seed_report_groups)
    challenges: list[Challenge] = Field(
        default_factory=_seed_challenges, min_length=2, max_length=2
    )
    themes: list[Theme] = Field(default_factory=_seed_themes, min_length=1)
    theme_tagging: ThemeTagging = Field(default_factory=ThemeTagging)
    survey: Survey = Field(default_factory=_seed_survey)
    need_form: NeedForm = Field(default_factory=NeedForm)
    schedules: Schedules = Field(default_factory=Schedules)
    privacy: Privacy = Field(default_factory=Privacy)
    retention_days: int = Field(default=730, ge=30)
    min_group_size: int = Field(default=5, ge=1)
    keep_anonymous_contributions: bool = True

    @property
    def privacy_notice(self) -> str:
        """The notice with this programme's figures filled in."""
        return self.privacy.notice.format(
            min_group_size=self.min_group_size,
            retention_days=self.retention_days,
            retention=in_words(self.retention_days),
        )

    @model_validator(mode="after")
    def _keys_unique_and_known(self) -> Programme:
        for label, keys in (
            ("areas", [a.key for a in self.areas]),
            ("sectors", [s.key for s in self.sectors]),
            ("challenges", [c.key for c in self.challenges]),
            ("themes", [t.key for t in self.themes]),
            ("survey.items", [i.key for i in self.survey.items]),
        ):
            duplicated = sorted({k for k in keys if keys.count(k) > 1})
            if duplicated:
                raise ValueError(f"{label} has duplicate keys: {', '.join(duplicated)}")
        taken = sorted(RESERVED_KEYS & {c.key for c in self.challenges})
        if taken:
            raise ValueError(f"challenge keys may not be {', '.join(taken)}: the bot uses them")
        places = sum(len(area.neighbourhoods) + 1 for area in self.areas)
        if places > MAX_PLACES:
            raise ValueError(
                f"areas and neighbourhoods make {places} places; at most {MAX_PLACES} fit"
            )
        sector_keys = {s.key for s in self.sectors}
        for group in self.report_groups:
            unknown = sorted(set(group.sectors) - sector_keys)
            if unknown:
                raise ValueError(
                    f"report group {group.name!r} names unknown sectors: {', '.join(unknown)}"
                )
        return self


class Commissioner(_Section):
    """A commissioner known from the start (others join by invite), with the areas they cover."""

    user_id: int = Field(gt=0)
    areas: list[str] = Field(min_length=1)


class Persona(_Section):
    """A simulated Telegram user offered by ``coproduce demo``."""

    user_id: int = Field(gt=0)
    label: str = Field(min_length=1)
    first_name: str = Field(min_length=1)
    username: str | None = None
    description: str = ""


class SimulatorSettings(_Section):
    port: int = Field(default=8765, ge=0, le=65535)
    personas: list[Persona] = []


class Settings(BaseSettings):
    """The whole configuration of one coproduce deployment."""

    model_config = SettingsConfigDict(
        env_prefix="COPRODUCE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    limits: Limits = Field(default_factory=Limits)
    admins: list[int] = []
    timezone: str = "Europe/London"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    programme: Programme = Field(default_factory=Programme)
    # After programme: its validator checks the areas against programme.areas.
    commissioners: list[Commissioner] = []
    simulator: SimulatorSettings = Field(default_factory=SimulatorSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (try 'Europe/London')") from None
        return value

    @field_validator("commissioners")
    @classmethod
    def _commissioners_cover_known_areas(
        cls, commissioners: list[Commissioner], info: ValidationInfo
    ) -> list[Commissioner]:
        programme = info.data.get("programme")
        if programme is None:  # programme itself was invalid and has been reported
            return commissioners
        area_keys = {area.key for area in programme.areas}
        for commissioner in commissioners:
            unknown = sorted(set(commissioner.areas) - area_keys)
            if unknown:
                raise ValueError(
                    f"commissioner {commissioner.user_id} covers unknown areas: "
                    + ", ".join(unknown)
                )
        return commissioners

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init kwargs; the environment must win over them.
        return env_settings, init_settings


# Patterns the config uses, as a person would say them.
_PATTERNS = {
    r"^[a-z0-9_]{1,32}$": "use 1 to 32 of a-z, 0-9 and _ (no spaces or capitals)",
    r"^([01]\d|2[0-3]):[0-5]\d$": "write a 24-hour time such as 09:00 or 17:30",
}
_EXAMPLE_USER_ID = "a whole number, e.g. 123456789"


def _unwrap(annotation: Any) -> Any:
    """The model inside ``list[X]``, ``X | None`` and the like, else the annotation itself."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) in (list, tuple, Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0])
    return annotation


def _model_at(path: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The section model a key path leads to (list positions skipped), if it is one."""
    model: type[BaseModel] = Settings
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = None if field is None else _unwrap(field.annotation)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def _key_path(path: tuple[int | str, ...]) -> str:
    """``programme.areas[2].key``: dotted keys, entries of a list counted from 1."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "config"


def _section(path: tuple[int | str, ...]) -> str:
    """Where a key sits, as the TOML file spells it: ``[telegram]``, ``the top level``."""
    if not path:
        return "at the top level"
    if isinstance(path[-1], int):
        return f"in entry {path[-1] + 1} of [[{_key_path(path[:-1])}]]"
    return f"in [{_key_path(path)}]"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"`{value}`"


def _entries(count: Any) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


def _unknown_key(path: tuple[int | str, ...], key: str) -> str:
    model = _model_at(path)
    known = list(model.model_fields) if model is not None else []
    where = _section(path)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key `{key}` {where}; did you mean `{close[0]}`?"
    if known and len(known) <= 12:
        return f"unknown key `{key}` {where}; the keys there are {', '.join(known)}"
    return f"unknown key `{key}` {where}; see config.example.toml for the keys"


def _describe(error: Any) -> str:
    """One pydantic error as one line in the project's words, naming the key."""
    kind: str = error["type"]
    loc: tuple[int | str, ...] = tuple(error["loc"])
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "extra_forbidden" and loc:
        return _unknown_key(loc[:-1], str(loc[-1]))
    # A bad entry of a list of plain values is named by its value, not its position.
    path = loc[:-1] if loc and isinstance(loc[-1], int) else loc
    key = _key_path(path)
    value = error.get("input")
    secret = any("token" in str(p) or "secret" in str(p) for p in loc)
    it = "the value" if secret else _shown(value)
    if kind == "missing":
        field = loc[-1] if loc else "?"
        return f"{_key_path(loc[:-1])}: `{field}` is missing; add it (see config.example.toml)"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        if path in (("admins",),) or (path and path[-1] == "user_id"):
            return f"{key}: {it} is not a Telegram user id ({_EXAMPLE_USER_ID})"
        return f"{key}: {it} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{key}: {it} is not a number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{key}: {it} should be true or false"
    if kind == "string_type":
        return f"{key}: {it} should be text in quotes"
    if kind == "list_type":
        return f"{key}: should be a list in square brackets, e.g. [1, 2]"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{key}: should be a table, a [{key}] section"
    if kind == "literal_error":
        return f"{key}: {it} is not allowed; use {ctx.get('expected', 'one of the listed values')}"
    if kind == "greater_than_equal":
        return f"{key}: {it} is too small; use {ctx['ge']} or more"
    if kind == "greater_than":
        return f"{key}: {it} is too small; use more than {ctx['gt']}"
    if kind == "less_than_equal":
        return f"{key}: {it} is too large; use {ctx['le']} or less"
    if kind == "less_than":
        return f"{key}: {it} is too large; use less than {ctx['lt']}"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"{key}: must not be empty"
        return f"{key}: too short; write at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"{key}: too long; write at most {ctx.get('max_length')} characters"
    has = ctx.get("actual_length")
    if kind == "too_short":
        return f"{key}: needs at least {_entries(ctx.get('min_length'))} (it has {has})"
    if kind == "too_long":
        return f"{key}: takes at most {_entries(ctx.get('max_length'))} (it has {has})"
    if kind == "string_pattern_mismatch":
        rule = _PATTERNS.get(str(ctx.get("pattern")), f"it should match {ctx.get('pattern')}")
        return f"{key}: {it} is not allowed; {rule}"
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{key}: {message}"


def _describe_all(errors: list[Any]) -> list[str]:
    """One line per problem; a misspelt key is one problem, not also its key "missing"."""
    misspelt: set[tuple[int | str, ...]] = set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden" and loc:
            model = _model_at(loc[:-1])
            known = list(model.model_fields) if model is not None else []
            for close in difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6):
                misspelt.add((*loc[:-1], close))
    return [
        _describe(error)
        for error in errors
        if not (error["type"] == "missing" and tuple(error["loc"]) in misspelt)
    ]


def config_not_found(tried: list[Path]) -> str:
    """Which files were looked for, and how to make one."""
    names = " and ".join(str(path) for path in tried)
    target = tried[0]
    return (
        f"no config file: tried {names} (in {Path.cwd()}); make one with "
        f"`cp config.example.toml {target}` (the example is in the coproduce source folder) "
        "and edit it, or name another with --config FILE"
    )


# Keys an older coproduce read and this one does not: a config that still has one loads, with
# a warning, rather than being refused after an upgrade.
RETIRED_KEYS: dict[tuple[str, ...], str] = {
    ("programme", "theme_tagging", "threshold"): (
        "the theme tagger no longer uses a similarity threshold "
        "(`programme.theme_tagging.min_score` asks for surer tags)"
    ),
}


def _drop_retired_keys(data: dict[str, Any]) -> list[str]:
    """Remove :data:`RETIRED_KEYS` from ``data``; a warning for each one found."""
    warnings = []
    for path, why in RETIRED_KEYS.items():
        *sections, key = path
        section: object = data
        for name in sections:
            section = section.get(name) if isinstance(section, dict) else None
        if isinstance(section, dict) and key in section:
            del section[key]
            warnings.append(f"{'.'.join(path)} is no longer used: {why}; remove it")
    return warnings


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Load settings from ``path`` (or ``config.toml``, else the example) plus the environment.

    Returns the settings and any warnings to show. Raises :class:`ConfigError` with one line
    per problem, never a traceback's worth of detail.
    """
    warnings: list[str] = []
    if path is None:
        tried = [DEFAULT_CONFIG_PATH, EXAMPLE_CONFIG_PATH]
        path = DEFAULT_CONFIG_PATH
        if not path.exists() and EXAMPLE_CONFIG_PATH.exists():
            warnings.append(
                f"{DEFAULT_CONFIG_PATH} not found: using {EXAMPLE_CONFIG_PATH} "
                f"(copy it to {DEFAULT_CONFIG_PATH} and edit it for real use)"
            )
            path = EXAMPLE_CONFIG_PATH
    else:
        tried = [path]
    if not path.exists():
        raise ConfigError([config_not_found(tried)])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    warnings += _drop_retired_keys(data)
    try:
        return Settings(**data), warnings
    except ValidationError as exc:
        raise ConfigError(_describe_all(exc.errors())) from None
