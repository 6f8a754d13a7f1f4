"""Signatures under legal documents."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta


class ConsentsByUser(GlobalSecondaryIndex["Consent"]):
    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    signed_at = UnicodeAttribute(range_key=True)


class Consent(Model):
    """A patient's signature under one version of a legal document, with the exact text shown."""

    Meta = table_meta("consents")
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
