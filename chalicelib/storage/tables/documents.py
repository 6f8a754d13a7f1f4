"""Conclusions, patients' documents, the bookings' documents addresses and incoming mail."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta


class Conclusion(Model):
    """The doctor's conclusion for one booking: a draft until signed; then a signed PDF in S3."""

    Meta = table_meta("conclusions")
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

    Meta = table_meta("attachments")
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

    Meta = table_meta("documents-addresses")
    token_hash = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class InboundByStatus(GlobalSecondaryIndex["InboundMail"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class InboundMail(Model):
    """One incoming message (keyed by its S3 key, i.e. SES's message id): claimed once, then what became of it.

    held: matched a booking only by From + subject, kept aside for the registry, nothing attached.
    """

    Meta = table_meta("inbound-mail")
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
