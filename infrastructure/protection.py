"""What protects each table (deletion protection, the tables' own KMS key), by what it holds: personal or health
data, business records nothing else can rebuild, or short-lived plumbing. Named in infrastructure/access.py too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Protection:
    """What a table holds decides what protects it. Every table has point-in-time recovery
    (infrastructure/definitions.py) and is encrypted with the tables' customer-managed key."""

    personal: bool  # personal or health data (152-FZ, medical secrecy)
    deletion_protection: bool
    why: str


def protections() -> dict[Any, Protection]:
    # Here, not at the top: the models read the stage's settings when imported (the stack sets them first).
    from chalicelib.storage.tables import (
        Attachment,
        AuditEntry,
        Booking,
        Conclusion,
        Connection,
        Consent,
        Counter,
        DataExport,
        Doctor,
        DocumentsAddress,
        HoldAllowance,
        InboundMail,
        Login,
        OneTimeToken,
        OutboxMessage,
        Reconciliation,
        RegistrationRequest,
        Room,
        Session,
        Slot,
        Specialty,
        Throttle,
        User,
    )

    def personal(why: str) -> Protection:
        return Protection(True, True, why)

    return {
        User: personal("person, contacts, birth date, card number, password hash"),
        Login: personal("email addresses"),
        Session: personal("email, name and roles of signed-in people"),
        RegistrationRequest: personal("name, email, phone, comment of people asking for a card"),
        Consent: personal("signatures with the exact text, time, IP and browser: evidence"),
        Doctor: personal("staff names, certificates, signing key ids"),
        Booking: personal("who consults which specialist when (health data), payments, refunds"),
        Room: personal("attendance of consultations"),
        OutboxMessage: personal("recipients and, until sent, the mail's context (names, room links)"),
        Conclusion: personal("medical conclusions"),
        AuditEntry: personal("who read whose medical data: the record a breach inquiry needs"),
        Attachment: personal("patients' medical documents (names, types, S3 keys)"),
        DocumentsAddress: personal("which patient each booking's mail address belongs to"),
        InboundMail: personal("senders and subjects of patients' letters"),
        DataExport: Protection(False, False, "which patient asked for an archive of their data when (TTL, 2 days)"),
        # Not personal, but not to be lost: business records nothing else can rebuild.
        Counter: Protection(False, True, "medical card numbers: losing the counter would issue numbers twice"),
        Specialty: Protection(False, True, "the clinic's catalog"),
        Slot: Protection(False, True, "which times are booked: lost, a booked time could be sold twice"),
        Reconciliation: Protection(False, True, "reconciliations with YooKassa: what was checked and found, and when"),
        # Plumbing: short-lived (TTL) items whose loss costs a retry at most; no deletion protection.
        OneTimeToken: Protection(False, False, "single-use tokens (minutes): a lost one is asked for again"),
        Throttle: Protection(False, False, "failed sign-in counters (TTL): lost, a window starts over"),
        HoldAllowance: Protection(False, False, "hold allowances (TTL, 15 minutes): lost, a hold is retried"),
        Connection: Protection(False, False, "open WebSockets (TTL): lost, the browser reconnects"),
    }
