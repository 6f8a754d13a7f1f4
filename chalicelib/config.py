"""Settings of one stage, read from the environment that `.chalice/config.json` sets.

The same code runs in AWS and in the local stack; only these values differ.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import pathlib
from dataclasses import dataclass

LOCAL_STAGE = "local"
# Set to 1 by the local stack (`local/`) and the tests, never by a deployed stage: it alone adds /dev routes.
LOCAL_STACK_FLAG = "LOCAL_STACK"


class SettingsError(RuntimeError):
    """The environment does not say which stage this is, or says something a deployed function must not."""


@dataclass(frozen=True)
class ClinicLegal:
    """What the legal documents say about the clinic (the operator of personal data) and the law as the product
    reads it: the clinic's own values, each overridable from the environment; the demo values are placeholders."""

    # The manifest (documents.json: versions in force, required / optional / withdrawable) and its templates.
    documents_dir: str
    operator_inn: str
    operator_ogrn: str
    operator_email: str
    payment_provider: str
    hosting_provider: str
    consent_term_years: int
    medical_records_years: int
    medical_records_basis: str
    payment_records_years: int
    payment_records_basis: str


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
    reconciliation_mail_to: tuple[str, ...]
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
    legal: ClinicLegal
    # «Мои данные» (chalicelib/records_export/): where the archive builder is asked, how long a download link
    # works, how many archives a patient may ask for in a clinic day.
    data_export_queue_url: str = ""
    data_export_link_seconds: int = 900
    data_exports_per_day: int = 3
    # SMS reminders (chalicelib/sms/): the sender's name the operators show (Amazon SNS's SenderID; empty: none),
    # and the short link to the cabinet the text carries (empty: PUBLIC_BASE_URL + /c).
    sms_sender_id: str = ""
    sms_cabinet_link: str = ""
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
        # Who gets the daily reconciliation with YooKassa by email (comma-separated); none: only the admin page.
        reconciliation_mail_to=_list("RECONCILIATION_MAIL_TO"),
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
        legal=_clinic_legal(),
        data_export_queue_url=_env("DATA_EXPORT_QUEUE_URL", ""),
        data_export_link_seconds=int(_env("DATA_EXPORT_LINK_SECONDS", "900")),
        data_exports_per_day=int(_env("DATA_EXPORTS_PER_DAY", "3")),
        sms_sender_id=_env("SMS_SENDER_ID", ""),
        sms_cabinet_link=_env("SMS_CABINET_LINK", "").rstrip("/"),
    )


def _clinic_legal() -> ClinicLegal:
    return ClinicLegal(
        documents_dir=_env("LEGAL_DOCUMENTS_DIR", str(pathlib.Path(__file__).parent / "templates" / "legal")),
        operator_inn=_env("CLINIC_INN", "7800000000"),
        operator_ogrn=_env("CLINIC_OGRN", "1027800000000"),
        operator_email=_env("CLINIC_PRIVACY_EMAIL", "privacy@clinic.local"),
        payment_provider=_env("PAYMENT_PROVIDER_NAME", "ООО НКО «ЮМани» (сервис ЮKassa)"),
        hosting_provider=_env("HOSTING_PROVIDER_NAME", "Amazon Web Services, Inc. (хостинг и отправка писем)"),
        consent_term_years=int(_env("PD_CONSENT_TERM_YEARS", "5")),
        # The product's reading of the law, for the clinic's lawyer to confirm: the outpatient medical card
        # (form 025/у) is kept 25 years; payments and receipts 5 years.
        medical_records_years=int(_env("MEDICAL_RECORDS_YEARS", "25")),
        medical_records_basis=_env(
            "MEDICAL_RECORDS_BASIS",
            "медицинская карта пациента, получающего медицинскую помощь в амбулаторных условиях, хранится 25 лет "
            "(приказ Минздрава России от 05.08.2022 № 530н)",
        ),
        payment_records_years=int(_env("PAYMENT_RECORDS_YEARS", "5")),
        payment_records_basis=_env(
            "PAYMENT_RECORDS_BASIS",
            "сведения об оплате и кассовые чеки хранятся 5 лет (Федеральный закон № 54-ФЗ, Налоговый кодекс РФ, "
            "Федеральный закон № 402-ФЗ «О бухгалтерском учёте»)",
        ),
    )


def reload_settings() -> Settings:
    """Forget cached settings (tests change the environment)."""
    settings.cache_clear()
    return settings()


def forget_settings() -> None:
    """Forget cached settings without reading them again (the environment may name no stage yet)."""
    settings.cache_clear()


# The retention schedule -----------------------------------------------------------------------------------------
# How long each kind of record is kept, applied nightly by chalicelib/retention.py (and, where DynamoDB TTL or an S3
# lifecycle rule does the deleting, used to set them: one setting for both). The defaults are the PRODUCT'S READING
# of Russian law, for the clinic's lawyer to confirm (README "Retention"). Each term is overridable by its own
# variable (RETENTION_AUDIT=6y) or by one JSON setting (RETENTION='{"audit": "6y"}'); a term is "<n>y" (calendar
# years), "<n>d" (days) or, for recordings only, "none".
RETENTION_DEFAULTS = {
    # Conclusions and the documents sent to the doctor are part of the outpatient medical record: 25 years from the
    # patient's last visit (product's reading of Минздрав's order No. 530н on ambulatory medical records).
    # MEDICAL_RECORDS_YEARS is the legal documents' setting of the same term: one value for both.
    "medical_records": ("MEDICAL_RECORDS_YEARS", "25y"),
    # Signed contract, consents, ИДС: kept as long as the medical record they belong to (same trigger: the
    # patient's last visit), and never less than this after their signature or withdrawal.
    "legal_documents": ("MEDICAL_RECORDS_YEARS", "25y"),
    # Payment records and receipts' data: 5 years (product's reading of the Tax Code and 54-FZ). They live on the
    # booking, which is kept with the medical record, so the longer term wins; this term is the floor.
    "payments": ("PAYMENT_RECORDS_YEARS", "5y"),
    # CloudWatch log groups of the functions, API access logs and the booking timer (infrastructure/operations.py).
    "application_logs": ("", "1y"),
    # The audit of reads of medical data (chalicelib/audit.py): 5 years (product's reading: the statute of
    # limitations for claims about a breach of medical secrecy, with margin).
    "audit": ("", "5y"),
    # The product does not record calls: this must stay "none".
    "recordings": ("", "none"),
    # Registration requests, handled or not: 30 days after they were made (the card, once opened, holds the data).
    "registration_requests": ("", "30d"),
    # Expired sessions and used or expired single-use tokens: removed by DynamoDB TTL this long after expiry.
    "expired_sessions": ("", "1d"),
    "used_tokens": ("", "1d"),
    # Incoming mail: SES's raw message under inbound/ (S3 lifecycle and the job) and its record (TTL).
    "inbound_mail": ("", "30d"),
    # Sent emails' records (recipient, template): by TTL after sending.
    "sent_mail": ("", "30d"),
    # A patient's data-export archives under exports/ (S3 lifecycle and the job).
    "data_exports": ("", "1d"),
}


@dataclass(frozen=True)
class Term:
    """A retention term: calendar years and days; `none` is a term of nothing kept (recordings)."""

    years: int = 0
    days: int = 0
    none: bool = False

    @classmethod
    def parse(cls, rule: str, text: str) -> Term:
        value = text.strip().lower()
        if value == "none":
            return cls(none=True)
        if value.isdigit():  # MEDICAL_RECORDS_YEARS=25: the legal documents' setting is in years
            value += "y"
        number, unit = value[:-1], value[-1:]
        if not number.isdigit() or unit not in ("y", "d") or int(number) < 1:
            raise SettingsError(f"Retention term of {rule} must be like 25y or 30d (or none), not {text!r}.")
        return cls(years=int(number)) if unit == "y" else cls(days=int(number))

    def before(self, moment: dt.datetime) -> dt.datetime:
        """The earliest moment still inside the term, counted back from `moment` (29 February → 28th)."""
        year = moment.year - self.years
        day = min(moment.day, 28) if (moment.month, moment.day) == (2, 29) else moment.day
        return moment.replace(year=year, day=day) - dt.timedelta(days=self.days)

    def after(self, moment: dt.datetime) -> dt.datetime:
        """When the term that starts at `moment` ends."""
        year = moment.year + self.years
        day = min(moment.day, 28) if (moment.month, moment.day) == (2, 29) else moment.day
        return moment.replace(year=year, day=day) + dt.timedelta(days=self.days)

    @property
    def at_least_days(self) -> int:
        """Whole days the term lasts at its shortest (a year of 365)."""
        return self.years * 365 + self.days

    def __str__(self) -> str:
        return "none" if self.none else f"{self.years}y" if self.years else f"{self.days}d"


@dataclass(frozen=True)
class RetentionSchedule:
    medical_records: Term
    legal_documents: Term
    payments: Term
    application_logs: Term
    audit: Term
    recordings: Term
    registration_requests: Term
    expired_sessions: Term
    used_tokens: Term
    inbound_mail: Term
    sent_mail: Term
    data_exports: Term


def retention_schedule() -> RetentionSchedule:
    """The retention schedule from the environment (read on each call: a few variables)."""
    try:
        overrides = json.loads(os.environ.get("RETENTION", "").strip() or "{}")
    except ValueError as exc:
        raise SettingsError(f"RETENTION must be a JSON object of terms: {exc}") from None
    if not isinstance(overrides, dict) or set(overrides) - set(RETENTION_DEFAULTS):
        unknown = sorted(set(overrides) - set(RETENTION_DEFAULTS)) if isinstance(overrides, dict) else overrides
        raise SettingsError(f"RETENTION names no such kinds: {unknown}; known: {sorted(RETENTION_DEFAULTS)}.")
    terms = {}
    for rule, (shared, default) in RETENTION_DEFAULTS.items():
        configured = str(overrides.get(rule) or (_env(shared, default) if shared else default))
        text = _env(f"RETENTION_{rule.upper()}", configured)
        terms[rule] = Term.parse(rule, text)
    schedule = RetentionSchedule(**terms)
    if not schedule.recordings.none:
        raise SettingsError("The product does not record calls: the retention of recordings must be none.")
    if any(term.none for rule, term in terms.items() if rule != "recordings"):
        raise SettingsError("Only recordings may have the retention term none.")
    if schedule.medical_records.at_least_days < schedule.payments.at_least_days:
        raise SettingsError("Payments are kept on the booking, with the medical record: its term must not be shorter.")
    return schedule
