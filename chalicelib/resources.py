"""Every bucket, key, identity and state machine of a stage, defined once.

The local stack and the tests provision them from here; the infrastructure
code declares the same names and settings for AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from chalicelib.config import settings


def documents_bucket() -> str:
    """Private bucket for patients' uploads and signed conclusions."""
    return settings().resource_name("documents")


def data_key_alias() -> str:
    """KMS key that encrypts stored documents (SSE-KMS)."""
    return f"alias/{settings().resource_prefix}-data"


def mail_identity() -> str:
    """The SES identity (domain) that mail is sent from."""
    return parseaddr(settings().mail_from)[1].split("@", 1)[1]


def timer_queue() -> str:
    """SQS queue where the booking timer reports reminders, openings and closings to the app."""
    return settings().resource_name("timer-events")


def inbound_mail_queue() -> str:
    """SQS queue the documents bucket notifies when SES stores an incoming message under inbound/."""
    return settings().resource_name("inbound-mail")


def data_export_queue() -> str:
    """SQS queue of patients' requests for an archive of their data («Мои данные»), built by `data_exports`."""
    return settings().resource_name("data-exports")


# Patients' data archives in the documents bucket: deleted by the bucket's lifecycle after the retention
# schedule's `data_exports` term (config.retention_schedule; infrastructure/stack.py); the link to one works for
# minutes (settings().data_export_link_seconds).
EXPORTS_PREFIX = "exports/"
# How long the archive builder (app.py data_exports) may run: its Lambda timeout (infrastructure/stack.py).
DATA_EXPORT_BUILD_S = 300


@dataclass(frozen=True)
class QueueSpec:
    """One SQS queue and its dead-letter queue: a message received `max_receive_count` times without being
    handled (a poison message) moves aside instead of coming back for ever."""

    construct_id: str  # the infrastructure's name for it
    name: str
    visibility_timeout_s: int
    dead_letter_name: str
    max_receive_count: int = 5
    dead_letter_retention_days: int = 14


def queues() -> tuple[QueueSpec, ...]:
    """Every queue of the stage: local/provision.py creates these, infrastructure/stack.py declares them."""
    return (
        QueueSpec("TimerEvents", timer_queue(), 120, settings().resource_name("timer-events-dead")),
        QueueSpec("InboundMail", inbound_mail_queue(), 180, inbound_mail_queue() + "-dead"),
        # A long history's archive takes minutes to build: the queue hides a message longer than the function runs.
        QueueSpec("DataExports", data_export_queue(), DATA_EXPORT_BUILD_S + 60, data_export_queue() + "-dead"),
    )


def state_machine_name() -> str:
    return settings().resource_name("booking-timer")


STATE_MACHINE_FILE = Path(__file__).resolve().parent / "statemachine" / "booking-timer.asl.json"


def state_machine_definition(substitutions: dict[str, str]) -> str:
    """The one ASL file, with ${RoomsTable} and ${TimerQueueUrl} filled in (as CDK's substitutions do)."""
    text = STATE_MACHINE_FILE.read_text(encoding="utf-8")
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    return text
