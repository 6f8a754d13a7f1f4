"""The items repositories hand to the domain, named for its type annotations.

The domain reads their fields and passes them back; it builds, conditions, reads and writes them only through a
repository in this package.
"""

from __future__ import annotations

from chalicelib.storage.tables import (
    Attachment,
    AuditEntry,
    Booking,
    Conclusion,
    Connection,
    Consent,
    DataExport,
    Doctor,
    DocumentsAddress,
    InboundMail,
    OneTimeToken,
    OutboxMessage,
    Reconciliation,
    RegistrationRequest,
    Room,
    Session,
    Slot,
    Specialty,
    User,
)

__all__ = [
    "Attachment",
    "AuditEntry",
    "Booking",
    "Conclusion",
    "Connection",
    "Consent",
    "DataExport",
    "Doctor",
    "DocumentsAddress",
    "InboundMail",
    "OneTimeToken",
    "OutboxMessage",
    "Reconciliation",
    "RegistrationRequest",
    "Room",
    "Session",
    "Slot",
    "Specialty",
    "User",
]
