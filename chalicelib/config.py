"""Settings of one stage, read from the environment that `.chalice/config.json` sets.

The same code runs in AWS and in the local stack; only these values differ.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

LOCAL_STAGE = "local"
# Set to 1 by the local stack (`local/`) and the tests, never by a deployed stage: it alone adds /dev routes.
LOCAL_STACK_FLAG = "LOCAL_STACK"


class SettingsError(RuntimeError):
    """The environment does not say which stage this is, or says something a deployed function must not."""


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    resource_prefix: str
    public_base_url: str
    clinic_timezone: str
    mail_from: str
    documents_address: str
    hold_minutes: int
    hold_limit: int
    slot_window_days: int
    payment_window_minutes: int
    refund_deadline_hours: int
    vat_code: int
    yookassa_api_url: str
    yookassa_trusted_networks: str
    state_machine_arn: str
    timer_queue_url: str
    room_lobby_minutes: int
    room_grace_minutes: int
    reminder_lead_minutes: int
    turn_provider: str
    turn_urls: tuple[str, ...]
    stun_urls: tuple[str, ...]
    kvs_channel_arn: str
    signaling_url: str
    video_max_bitrate: int
    log_level: str
    clinic_name: str
    clinic_address: str
    local_stack: bool = False

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @property
    def dev_routes(self) -> bool:
        """The development pages (the outbox of every sent email): only when the local stack says so."""
        return self.local_stack and self.is_local

    def resource_name(self, suffix: str) -> str:
        """The physical name of a table, bucket or state machine of this stage."""
        return f"{self.resource_prefix}-{suffix}"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


def _stage() -> tuple[str, bool]:
    """The stage, named explicitly, and whether this is the local stack; a deployed function without a
    stage (or with the local stack's flag) refuses to start rather than guess."""
    stage = os.environ.get("STAGE", "").strip()
    if not stage:
        raise SettingsError(
            "STAGE is not set: refusing to start. Each stage's functions get it from "
            ".chalice/config.json (the infrastructure passes it on); the local stack and the "
            "tests set STAGE=local."
        )
    flag = os.environ.get(LOCAL_STACK_FLAG, "").strip()
    if flag not in ("", "0", "1"):
        raise SettingsError(f"{LOCAL_STACK_FLAG} must be 1 (the local stack) or unset, not {flag!r}.")
    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    if in_lambda and (stage == LOCAL_STAGE or flag == "1"):
        raise SettingsError(
            f"STAGE={stage} with {LOCAL_STACK_FLAG}={flag or 'unset'} inside AWS Lambda: "
            "the local stage and its development routes never run deployed; refusing to start."
        )
    if flag == "1" and stage != LOCAL_STAGE:
        raise SettingsError(
            f"{LOCAL_STACK_FLAG}=1 with STAGE={stage}: only the local stage has development routes; refusing to start."
        )
    return stage, flag == "1"


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    stage, local_stack = _stage()
    return Settings(
        stage=stage,
        local_stack=local_stack,
        region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION", "eu-central-1")),
        resource_prefix=_env("RESOURCE_PREFIX", "telemed-local"),
        public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        clinic_timezone=_env("CLINIC_TIMEZONE", "Europe/Moscow"),
        mail_from=_env("MAIL_FROM", "Центр телемедицины <telemed@clinic.local>"),
        # The clinic's one documents address: the emails (booking_paid's personal docs+… address is on its domain,
        # the calendar invite's organizer), the mail intake, the site (GET /clinic) and the infrastructure
        # (SES receiving for its domain: infrastructure/stack.py) all read this setting; nothing else names it.
        documents_address=_env("DOCUMENTS_ADDRESS", "telemed@clinic.local"),
        hold_minutes=int(_env("HOLD_MINUTES", "15")),
        hold_limit=int(_env("HOLD_LIMIT", "2")),
        slot_window_days=int(_env("SLOT_WINDOW_DAYS", "56")),  # 8 weeks
        payment_window_minutes=int(_env("PAYMENT_WINDOW_MINUTES", "30")),
        refund_deadline_hours=int(_env("REFUND_DEADLINE_HOURS", "24")),
        vat_code=int(_env("VAT_CODE", "1")),
        yookassa_api_url=_env("YOOKASSA_API_URL", "https://api.yookassa.ru/v3"),
        # "sdk": YooKassa's own published addresses; otherwise a comma-separated list of networks.
        yookassa_trusted_networks=_env("YOOKASSA_TRUSTED_NETWORKS", "sdk"),
        state_machine_arn=_env("BOOKING_TIMER_ARN", ""),
        timer_queue_url=_env("TIMER_QUEUE_URL", ""),
        room_lobby_minutes=int(_env("ROOM_LOBBY_MINUTES", "10")),
        room_grace_minutes=int(_env("ROOM_GRACE_MINUTES", "15")),
        reminder_lead_minutes=int(_env("REMINDER_LEAD_MINUTES", "60")),
        turn_provider=_env("TURN_PROVIDER", "none"),
        turn_urls=_list("TURN_URLS"),
        stun_urls=_list("STUN_URLS"),
        kvs_channel_arn=_env("KVS_CHANNEL_ARN", ""),
        signaling_url=_env("SIGNALING_URL", ""),
        # The seed's limits: 128–640 kbit/s each way.
        video_max_bitrate=min(max(int(_env("VIDEO_MAX_BITRATE", "640000")), 128000), 640000),
        log_level=_env("LOG_LEVEL", "INFO"),
        clinic_name=_env("CLINIC_NAME", "ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России"),
        clinic_address=_env("CLINIC_ADDRESS", "Санкт-Петербург, пр. Луначарского, 49"),
    )


def reload_settings() -> Settings:
    """Forget cached settings (tests change the environment)."""
    settings.cache_clear()
    return settings()


def forget_settings() -> None:
    """Forget cached settings without reading them again (the environment may name no stage yet)."""
    settings.cache_clear()
