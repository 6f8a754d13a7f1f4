"""Settings of one stage, read from the environment that `.chalice/config.json` sets.

The same code runs in AWS and in the local stack; only these values differ.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

LOCAL_STAGE = "local"


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

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    def resource_name(self, suffix: str) -> str:
        """The physical name of a table, bucket or state machine of this stage."""
        return f"{self.resource_prefix}-{suffix}"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        stage=_env("STAGE", LOCAL_STAGE),
        region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION", "eu-central-1")),
        resource_prefix=_env("RESOURCE_PREFIX", "telemed-local"),
        public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        clinic_timezone=_env("CLINIC_TIMEZONE", "Europe/Moscow"),
        mail_from=_env("MAIL_FROM", "Центр телемедицины <telemed@clinic.local>"),
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
