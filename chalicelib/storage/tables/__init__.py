"""Every DynamoDB table, defined once (one module per area), and all of them importable from here.

The local stack and the tests create them with `create_table` from these
models; the infrastructure code reads the same schema (keys, indexes, TTL).
Physical names carry the stage's prefix.
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.storage.access import plain
from chalicelib.storage.tables.accounts import (
    Counter,
    Login,
    OneTimeToken,
    RegistrationRequest,
    RequestsByStatus,
    Session,
    SessionsByUser,
    Throttle,
    User,
    UsersByCard,
    UsersByPhone,
    UsersBySurname,
)
from chalicelib.storage.tables.audit import AuditEntry
from chalicelib.storage.tables.base import table_meta
from chalicelib.storage.tables.bookings import (
    Booking,
    BookingsByDoctor,
    BookingsByMoneyDay,
    BookingsByPatient,
    Connection,
    ConnectionsByRoom,
    Room,
)
from chalicelib.storage.tables.documents import (
    Attachment,
    Conclusion,
    DocumentsAddress,
    InboundByStatus,
    InboundMail,
)
from chalicelib.storage.tables.exports import DataExport
from chalicelib.storage.tables.legal import Consent, ConsentsByUser
from chalicelib.storage.tables.mail import OutboxMessage, PendingMail
from chalicelib.storage.tables.reconciliations import Reconciliation
from chalicelib.storage.tables.schedule import (
    Doctor,
    DoctorsBySpecialty,
    DoctorsListing,
    HoldAllowance,
    Slot,
    Specialty,
)

__all__ = [
    "ALL_TABLES",
    "Attachment",
    "AuditEntry",
    "Booking",
    "BookingsByDoctor",
    "BookingsByMoneyDay",
    "BookingsByPatient",
    "Conclusion",
    "Connection",
    "ConnectionsByRoom",
    "Consent",
    "ConsentsByUser",
    "Counter",
    "DataExport",
    "Doctor",
    "DoctorsBySpecialty",
    "DoctorsListing",
    "DocumentsAddress",
    "HoldAllowance",
    "InboundByStatus",
    "InboundMail",
    "Login",
    "OneTimeToken",
    "OutboxMessage",
    "PendingMail",
    "Reconciliation",
    "RegistrationRequest",
    "RequestsByStatus",
    "Room",
    "Session",
    "SessionsByUser",
    "Slot",
    "Specialty",
    "Throttle",
    "User",
    "UsersByCard",
    "UsersByPhone",
    "UsersBySurname",
    "plain",
    "table_meta",
]

ALL_TABLES: tuple[type[Model], ...] = (
    User,
    Login,
    Session,
    OneTimeToken,
    Throttle,
    RegistrationRequest,
    Counter,
    Consent,
    Specialty,
    Doctor,
    Slot,
    HoldAllowance,
    Booking,
    Room,
    OutboxMessage,
    Connection,
    Conclusion,
    AuditEntry,
    Reconciliation,
    Attachment,
    DocumentsAddress,
    InboundMail,
    DataExport,
)
