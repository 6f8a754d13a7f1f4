"""The audit log of reads of medical data."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta


class AuditByPatient(GlobalSecondaryIndex["AuditEntry"]):
    """Whose data was read: a patient's own access log (in their data export) is one Query, never a Scan."""

    class Meta:
        index_name = "by_patient"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class AuditEntry(Model):
    """One read of medical data by someone other than its patient: who, what, when, from where."""

    Meta = table_meta("audit")
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
    by_patient = AuditByPatient()
