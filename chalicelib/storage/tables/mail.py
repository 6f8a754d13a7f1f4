"""Outgoing email: the outbox."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta


class PendingMail(GlobalSecondaryIndex["OutboxMessage"]):
    class Meta:
        index_name = "pending"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class OutboxMessage(Model):
    """An email decided in the same transaction as the change it reports, sent (and retried) after.

    Its context may hold a room link until it is sent; then the context is erased.
    """

    Meta = table_meta("outbox")
    message_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(default="pending")  # pending → sent (or failed after the last attempt; dropped)
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
