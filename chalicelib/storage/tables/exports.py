"""Patients' archives of their own data («Мои данные»)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta

# The range key of a patient's one guard item: which export is building, and how many were asked for on which
# clinic day. Every change to it is conditional on its `revision` (chalicelib/storage/data_exports.py).
GUARD_KEY = "guard"


class DataExport(Model):
    """One archive of a patient's data (building → ready | failed), or the patient's guard item (`GUARD_KEY`)."""

    Meta = table_meta("data-exports")
    patient_id = UnicodeAttribute(hash_key=True)
    export_id = UnicodeAttribute(range_key=True)  # "<UTC time>-<random>": newest last; or GUARD_KEY
    # An export:
    status = UnicodeAttribute(null=True)  # building → ready | failed
    requested_at = UnicodeAttribute(null=True)
    ready_at = UnicodeAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why it failed (a code, never data)
    # The guard:
    building = UnicodeAttribute(null=True)  # the export id being built, if any
    building_since = UnicodeAttribute(null=True)
    day = UnicodeAttribute(null=True)  # the clinic day `requests_today` is for
    requests_today = NumberAttribute(null=True)  # how many were asked for on `day`
    revision = NumberAttribute(null=True)
    ttl = TTLAttribute(null=True)
