"""Settings: the TOML config file, overridden by ``COPRODUCE_*`` environment variables.

Everything a programme may word differently lives here, validated by pydantic, so a second
local authority runs the same code with its own file. Defaults come from the Knowsley seed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal
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
    persistence_interval_seconds: float = Field(default=5.0, gt=0, le=3600)


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


class Challenge(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)


class Theme(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    name: str = Field(min_length=1)
    description: str = ""


class SurveyItem(_Section):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    question: str = Field(min_length=1)


class Survey(_Section):
    items: list[SurveyItem] = Field(min_length=1)
    scale_labels: list[str] = Field(min_length=5, max_length=5)
    after_days: int = Field(default=42, ge=1, le=365)


class Schedules(_Section):
    digest_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    nudge_after_hours: int = Field(default=24, ge=1, le=24 * 14)
    quiet_hours_start: str = Field(default="21:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    quiet_hours_end: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


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
        ),
        Challenge(
            key="challenge_2",
            title="Challenge 2",
            prompt=(
                "How can community and voluntary groups become better able to voice local need, "
                "enable children's centres/others to commission services to address needs and "
                "develop the capacity to deliver?"
            ),
        ),
    ]


def _seed_themes() -> list[Theme]:
    return [
        Theme(
            key="performance_management",
            name="Performance management",
            description="Information flows up and down about meeting needs local groups identify.",
        ),
        Theme(
            key="community_engagement",
            name="Community engagement",
            description="Ownership, and recruiting, supporting and keeping volunteers.",
        ),
        Theme(
            key="partnership_working",
            name="Partnership working",
            description="Good relationships with children's centres; shared values and goals.",
        ),
        Theme(
            key="la_offer_and_vision",
            name="Local authority offer and vision",
            description="Help with tendering, funding bids, governance, policies and procedures.",
        ),
        Theme(
            key="localised_commissioning",
            name="Localised commissioning",
            description="Sharing plans and commissioning services out quickly and simply.",
        ),
        Theme(
            key="change_management",
            name="Change management",
            description="Growing small community providers into robust ones: skills and capacity.",
        ),
    ]


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
Before you start, here is how this bot uses your information.

What we keep: your name, your organisation, its sector and area, and what you tell us \
here: local needs, your answers to the two challenges, and the confidence surveys.

Who sees it: the programme team. Commissioners see the needs raised in their areas, and \
survey figures only for groups of {min_group_size} or more people, never one person's answers.

Why: so commissioners hear what local groups need, and the programme can tell whether it \
is helping.

Your choices: /mydata sends you everything we hold about you, /forget erases it, and \
/stop turns off reminders. We delete personal data after {retention_days} days without \
activity."""


class Privacy(_Section):
    """The privacy notice people agree to; a new version asks everyone again."""

    version: int = Field(default=1, ge=1)
    # {min_group_size} and {retention_days} are filled in from the programme settings.
    notice: str = Field(default=DEFAULT_PRIVACY_NOTICE, min_length=1)


class Programme(_Section):
    """The programme's own words and lists: what a second local authority changes."""

    name: str = "Children's Centres and VCS co-production programme"
    areas: list[Area] = Field(default_factory=_seed_areas, min_length=1)
    sectors: list[Sector] = Field(default_factory=_seed_sectors, min_length=1)
    report_groups: list[ReportGroup] = Field(default_factory=_seed_report_groups)
    challenges: list[Challenge] = Field(
        default_factory=_seed_challenges, min_length=2, max_length=2
    )
    themes: list[Theme] = Field(default_factory=_seed_themes, min_length=1)
    survey: Survey = Field(default_factory=_seed_survey)
    schedules: Schedules = Field(default_factory=Schedules)
    privacy: Privacy = Field(default_factory=Privacy)
    retention_days: int = Field(default=730, ge=30)
    min_group_size: int = Field(default=5, ge=1)
    keep_anonymous_contributions: bool = True

    @property
    def privacy_notice(self) -> str:
        """The notice with this programme's figures filled in."""
        return self.privacy.notice.format(
            min_group_size=self.min_group_size, retention_days=self.retention_days
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


def _describe(error: Any) -> str:
    location = ".".join(str(part) for part in error["loc"]) or "config"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{location}: {message}"


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Load settings from ``path`` (or ``config.toml``, else the example) plus the environment.

    Returns the settings and any warnings to show. Raises :class:`ConfigError` with one line
    per problem, never a traceback's worth of detail.
    """
    warnings: list[str] = []
    if path is None:
        path = DEFAULT_CONFIG_PATH
        if not path.exists() and EXAMPLE_CONFIG_PATH.exists():
            warnings.append(
                f"{DEFAULT_CONFIG_PATH} not found: using {EXAMPLE_CONFIG_PATH} "
                f"(copy it to {DEFAULT_CONFIG_PATH} and edit it for real use)"
            )
            path = EXAMPLE_CONFIG_PATH
    if not path.exists():
        raise ConfigError([f"{path}: config file not found"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        return Settings(**data), warnings
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None
