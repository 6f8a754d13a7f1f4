"""Specialties, doctors' cards and schedules, their slots, and patients' hold allowances."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.tables.base import table_meta


class Specialty(Model):
    """A medical specialty. All live in one partition, so listing them is one Query."""

    Meta = table_meta("specialties")
    catalog = UnicodeAttribute(hash_key=True, default="specialties")
    specialty_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)


class DoctorsBySpecialty(GlobalSecondaryIndex["Doctor"]):
    class Meta:
        index_name = "by_specialty"
        projection = AllProjection()

    specialty_id = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute(range_key=True)


class DoctorsListing(GlobalSecondaryIndex["Doctor"]):
    class Meta:
        index_name = "listing"
        projection = AllProjection()

    catalog = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute(range_key=True)


class Doctor(Model):
    """A doctor's public card and schedule. `doctor_id` is the doctor's user id."""

    Meta = table_meta("doctors")
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
    weekly_hours: MapAttribute[str, Any] = MapAttribute(default=dict)
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

    Meta = table_meta("slots")
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

    Meta = table_meta("hold-allowances")
    patient_id = UnicodeAttribute(hash_key=True)
    n = NumberAttribute(range_key=True)
    booking_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    ttl = TTLAttribute()
