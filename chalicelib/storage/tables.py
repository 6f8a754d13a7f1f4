"""Every DynamoDB table, defined once.

The local stack and the tests create them with `create_table` from these
models; the infrastructure code reads the same schema (keys, indexes, TTL).
Physical names carry the stage's prefix.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.config import settings


def plain(value: object) -> dict:
    """A raw MapAttribute (or None) as a plain dict."""
    if value is None:
        return {}
    as_dict = getattr(value, "as_dict", None)
    return dict(as_dict()) if as_dict else dict(value)  # type: ignore[call-overload]


def _meta(suffix: str) -> type:
    s = settings()

    class Meta:
        table_name = s.resource_name(suffix)
        name_suffix = suffix  # the infrastructure names the table for its own stage
        region = s.region
        billing_mode = "PAY_PER_REQUEST"
        connect_timeout_seconds = 3
        read_timeout_seconds = 10
        max_retry_attempts = 3
        # A Lambda handles one request at a time; the local stack serves many from threads of one process,
        # and with the default 10 each extra thread opened (and dropped) a connection per call.
        max_pool_connections = 64

    return Meta


class User(Model):
    """A person: patient, doctor, registrar or admin (roles may combine)."""

    Meta = _meta("users")
    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    full_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)
    card_number = UnicodeAttribute(null=True)
    roles = UnicodeSetAttribute(default=set)
    password_hash = UnicodeAttribute(null=True)
    must_change_password = BooleanAttribute(default=False)
    temporary_password_expires_at = UTCDateTimeAttribute(null=True)
    password_changed_at = UTCDateTimeAttribute(null=True)
    # Legal documents in force for this person: kind -> signed version ("" after a withdrawal).
    signed_documents = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()


class Login(Model):
    """The login (email, lower-cased) that belongs to one user; its key keeps emails unique."""

    Meta = _meta("logins")
    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class SessionsByUser(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_user"
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)


class Session(Model):
    """A signed-in browser. Only the SHA-256 of the token is stored.

    It carries a copy of what authorization needs about the person (roles,
    name, whether the password must change, signed documents), so a request
    costs one read; every change to those rewrites the person's sessions.
    """

    Meta = _meta("sessions")
    token_hash = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    full_name = UnicodeAttribute()
    roles = UnicodeSetAttribute(default=set)
    must_change_password = BooleanAttribute(default=False)
    signed_documents = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()
    by_user = SessionsByUser()


class OneTimeToken(Model):
    """A single-use token (password reset), stored as its SHA-256."""

    Meta = _meta("tokens")
    token_hash = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    user_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute()


class Throttle(Model):
    """Failed sign-in attempts for one account or one address, in a sliding window."""

    Meta = _meta("throttles")
    key = UnicodeAttribute(hash_key=True)
    window_started_at = UTCDateTimeAttribute()
    failures = NumberAttribute(default=0)
    strikes = NumberAttribute(default=0)
    blocked_until = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute()


class RequestsByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RegistrationRequest(Model):
    """A request from the public form to open a medical card."""

    Meta = _meta("registration-requests")
    request_id = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    handled_by = UnicodeAttribute(null=True)
    handled_at = UnicodeAttribute(null=True)
    by_status = RequestsByStatus()


class Counter(Model):
    """Monotonic counters (medical card numbers), advanced with an atomic ADD."""

    Meta = _meta("counters")
    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


class ConsentsByUser(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    signed_at = UnicodeAttribute(range_key=True)


class Consent(Model):
    """A patient's signature under one version of a legal document, with the exact text shown."""

    Meta = _meta("consents")
    consent_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    version = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    text = UnicodeAttribute()
    signed_at = UnicodeAttribute()
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    withdrawn_at = UnicodeAttribute(null=True)
    withdrawn_ip = UnicodeAttribute(null=True)
    by_user = ConsentsByUser()


class Specialty(Model):
    """A medical specialty. All live in one partition, so listing them is one Query."""

    Meta = _meta("specialties")
    catalog = UnicodeAttribute(hash_key=True, default="specialties")
    specialty_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)


class DoctorsBySpecialty(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_specialty"
        projection = AllProjection()

    specialty_id = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute(range_key=True)


class DoctorsListing(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing"
        projection = AllProjection()

    catalog = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute(range_key=True)


class Doctor(Model):
    """A doctor's public card and schedule. `doctor_id` is the doctor's user id."""

    Meta = _meta("doctors")
    doctor_id = UnicodeAttribute(hash_key=True)
    catalog = UnicodeAttribute(default="doctors")
    full_name = UnicodeAttribute()
    specialty_id = UnicodeAttribute()
    specialty_name = UnicodeAttribute()
    bio = UnicodeAttribute(null=True)
    price = NumberAttribute()
    duration_minutes = NumberAttribute()
    active = BooleanAttribute(default=True)
    # ISO weekday ("1" = Monday) -> [["09:00", "13:00"], ...] in the clinic's zone.
    weekly_hours = MapAttribute(default=dict)
    days_off = UnicodeSetAttribute(default=set)
    # Local stage only: a free slot of this many minutes every this many minutes from now.
    drop_in_minutes = NumberAttribute(null=True)
    # The doctor's signing key lives in KMS; the certificate the clinic's CA issued for it.
    signing_key_id = UnicodeAttribute(null=True)
    certificate_pem = UnicodeAttribute(null=True)
    certificate_serial = UnicodeAttribute(null=True)
    by_specialty = DoctorsBySpecialty()
    listing = DoctorsListing()


class Slot(Model):
    """One consultation time of one doctor: free, held (until `hold_expires_at`) or booked.

    The doctor's card (name, specialty, price) is copied in when the slot is made,
    so that holding it needs no other read.
    """

    Meta = _meta("slots")
    doctor_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)  # UTC, "2026-11-26T09:00:00Z": sorts as time
    ends_at = UnicodeAttribute()
    status = UnicodeAttribute(default="free")
    booking_id = UnicodeAttribute(null=True)
    hold_expires_at = UnicodeAttribute(null=True)
    price = NumberAttribute()
    doctor_name = UnicodeAttribute()
    specialty_name = UnicodeAttribute()


class HoldAllowance(Model):
    """A patient's allowance of simultaneous holds: item `n` is taken by one booking until it expires."""

    Meta = _meta("hold-allowances")
    patient_id = UnicodeAttribute(hash_key=True)
    n = NumberAttribute(range_key=True)
    booking_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    ttl = TTLAttribute()


class BookingsByPatient(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_patient"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class BookingsByDoctor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_doctor"
        projection = AllProjection()

    doctor_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class Booking(Model):
    """A patient's consultation with a doctor at a slot's time, through its statuses."""

    Meta = _meta("bookings")
    booking_id = UnicodeAttribute(hash_key=True)
    patient_id = UnicodeAttribute()
    doctor_id = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    status = UnicodeAttribute()
    hold_expires_at = UnicodeAttribute(null=True)
    allowance_n = NumberAttribute(null=True)
    price = NumberAttribute()
    patient_email = UnicodeAttribute()
    patient_name = UnicodeAttribute()
    patient_time_zone = UnicodeAttribute(null=True)
    doctor_name = UnicodeAttribute()
    specialty_name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    cancelled_at = UnicodeAttribute(null=True)
    # Payment (YooKassa): the attempt number makes each payment's idempotence key.
    payment_attempt = NumberAttribute(default=0)
    payment_id = UnicodeAttribute(null=True)
    payment_status = UnicodeAttribute(null=True)
    confirmation_url = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    refund_id = UnicodeAttribute(null=True)
    refund_status = UnicodeAttribute(null=True)
    refund_reason = UnicodeAttribute(null=True)
    refunded_at = UnicodeAttribute(null=True)
    room_id = UnicodeAttribute(null=True)
    # The room's window (copied from the room when it is made): the doctor's day shows and enters it.
    room_opens_at = UnicodeAttribute(null=True)
    room_closes_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    attachments_count = NumberAttribute(default=0)
    # The secret of the booking's own documents address (docs+<token>@…), made when it is paid; shown to its
    # patient. Mail reaches the booking through DocumentsAddress, which holds only the token's SHA-256.
    documents_token = UnicodeAttribute(null=True)
    by_patient = BookingsByPatient()
    by_doctor = BookingsByDoctor()


class Room(Model):
    """The video room of one paid booking. The link's token is stored only as its SHA-256."""

    Meta = _meta("rooms")
    room_id = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    doctor_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    status = UnicodeAttribute(default="scheduled")  # scheduled → lobby → open → closed
    lobby_at = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    closes_at = UnicodeAttribute()
    doctor_joined_at = UnicodeAttribute(null=True)
    patient_joined_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class Conclusion(Model):
    """The doctor's conclusion for one booking: a draft until signed; then a signed PDF in S3."""

    Meta = _meta("conclusions")
    booking_id = UnicodeAttribute(hash_key=True)
    doctor_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    status = UnicodeAttribute(default="draft")  # draft → signed
    complaints = UnicodeAttribute(null=True)
    anamnesis = UnicodeAttribute(null=True)
    examination = UnicodeAttribute(null=True)
    conclusion = UnicodeAttribute(null=True)
    recommendations = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    signed_at = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    pdf_sha256 = UnicodeAttribute(null=True)
    certificate_serial = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)


class Attachment(Model):
    """A document the patient sent for the consultation (from the cabinet or by email)."""

    Meta = _meta("attachments")
    booking_id = UnicodeAttribute(hash_key=True)
    attachment_id = UnicodeAttribute(range_key=True)
    patient_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    s3_key = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending → ready | rejected
    source = UnicodeAttribute(default="cabinet")  # cabinet | email
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class DocumentsAddress(Model):
    """A booking's secret documents address, found by the SHA-256 of its token (chalicelib/documents/addresses.py)."""

    Meta = _meta("documents-addresses")
    token_hash = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class InboundByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class InboundMail(Model):
    """One incoming message (keyed by its S3 key, i.e. SES's message id): claimed once, then what became of it.

    held: matched a booking only by From + subject, kept aside for the registry, nothing attached.
    """

    Meta = _meta("inbound-mail")
    message_key = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()  # processing → attached | held | rejected | ignored
    reason = UnicodeAttribute(null=True)
    received_at = UnicodeAttribute()
    sender = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)  # control characters removed, cut to 200
    booking_id = UnicodeAttribute(null=True)
    patient_id = UnicodeAttribute(null=True)
    files = UnicodeAttribute(null=True)  # JSON list of the attachments' names
    attached = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)
    by_status = InboundByStatus()


class AuditEntry(Model):
    """One read of medical data by someone other than its patient: who, what, when, from where."""

    Meta = _meta("audit")
    day = UnicodeAttribute(hash_key=True)  # YYYY-MM-DD of the clinic's calendar: an admin reads a day with one Query
    at_id = UnicodeAttribute(range_key=True)  # ISO time + "#" + id: sorted by time
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute()
    actor_roles = UnicodeAttribute()
    action = UnicodeAttribute()
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    patient_id = UnicodeAttribute(null=True)
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)


class ConnectionsByRoom(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_room"
        projection = AllProjection()

    room_id = UnicodeAttribute(hash_key=True)


class Connection(Model):
    """A signaling WebSocket of one participant (patient or doctor) in one room."""

    Meta = _meta("connections")
    connection_id = UnicodeAttribute(hash_key=True)
    room_id = UnicodeAttribute()
    role = UnicodeAttribute()  # patient | doctor
    connected_at = UnicodeAttribute()
    ttl = TTLAttribute()
    by_room = ConnectionsByRoom()


class PendingMail(GlobalSecondaryIndex):
    class Meta:
        index_name = "pending"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class OutboxMessage(Model):
    """An email decided in the same transaction as the change it reports, sent (and retried) after.

    Its context may hold a room link until it is sent; then the context is erased.
    """

    Meta = _meta("outbox")
    message_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(default="pending")  # pending → sent (or failed after the last attempt)
    to = UnicodeAttribute()
    template = UnicodeAttribute()
    context = UnicodeAttribute(null=True)  # JSON
    attempts = NumberAttribute(default=0)
    next_attempt_at = UnicodeAttribute()
    last_error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    ses_message_id = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)
    pending = PendingMail()


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
    Attachment,
    DocumentsAddress,
    InboundMail,
)


def health_probe_table() -> str:
    return User.Meta.table_name
