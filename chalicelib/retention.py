"""The retention schedule applied: each night, what is past its term (chalicelib/config.py RETENTION_DEFAULTS) is
deleted, every deletion batch is written to the audit log (what kind, how many, the rule), and a summary returned.

Kinds that DynamoDB TTL or an S3 lifecycle rule deletes get their TTL or rule from the same terms (sessions,
single-use tokens, sent mail, incoming mail's records; inbound/ and exports/ in infrastructure/stack.py); the S3
prefixes are deleted here too, since a lifecycle rule runs within a day or two and the local stack has none.
CloudWatch's log groups keep `application_logs` (infrastructure/operations.py). The product records no calls.
"""

from __future__ import annotations

import datetime as dt
import uuid

from chalicelib.clock import now as clock_now
from chalicelib.config import RetentionSchedule, Term, retention_schedule
from chalicelib.documents.addresses import token_hash
from chalicelib.logs import log_event
from chalicelib.scheduling.times import to_key
from chalicelib.storage import retention as store
from chalicelib.timefmt import clinic_zone

REQUEST_STATUSES = ("new", "done", "rejected")  # chalicelib/accounts/cards.py
# The audit's days looked at each night, back from the first day still kept: a month of missed runs is caught up.
# (A term made shorter by more than that leaves older days: run apply() with the clock set back a month at a time.)
AUDIT_DAYS_LOOKED_AT = 31
# Prefixes of the documents bucket holding only short-lived objects, by rule.
SHORT_LIVED_PREFIXES = {"inbound_mail": "inbound/", "data_exports": "exports/"}

Summary = dict[str, dict[str, int]]


def apply(now: dt.datetime | None = None) -> Summary:
    """Delete what is past its term at `now` (the clock's now by default); rule → kind → how many were deleted."""
    current = now or clock_now()
    schedule = retention_schedule()
    summary: Summary = {}
    summary["registration_requests"] = _registration_requests(schedule.registration_requests, current)
    for rule, prefix in SHORT_LIVED_PREFIXES.items():
        summary[rule] = _short_lived_objects(rule, prefix, getattr(schedule, rule), current)
    summary["medical_records"] = _medical_records(schedule, current)
    summary["audit"] = _audit(schedule.audit, current)
    log_event("retention_applied", deleted=summary)
    return summary


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _audited(rule: str, term: Term, kind: str, count: int, current: dt.datetime, patient_id: str | None = None) -> None:
    """One audit entry per deletion batch: the rule, its term, the kind and how many."""
    if not count:
        return
    store.append_audit(
        current.astimezone(clinic_zone()).strftime("%Y-%m-%d"),
        f"{current.isoformat()}#{uuid.uuid4().hex[:8]}",
        actor_id="retention",
        actor_name="retention",
        actor_roles="system",
        action="retention_delete",
        target_type=kind,
        target_id=f"{rule} {term}: {count}",
        patient_id=patient_id,
    )


def _registration_requests(term: Term, current: dt.datetime) -> dict[str, int]:
    cutoff = _iso(term.before(current))
    deleted = sum(
        store.delete_request(request)
        for status in REQUEST_STATUSES
        for request in store.requests_made_before(status, cutoff)
    )
    _audited("registration_requests", term, "registration_requests", deleted, current)
    return {"registration_requests": deleted}


def _short_lived_objects(rule: str, prefix: str, term: Term, current: dt.datetime) -> dict[str, int]:
    versions = store.versions_before(prefix, term.before(current))
    deleted = store.delete_versions(versions) if versions else 0
    _audited(rule, term, f"objects {prefix}", deleted, current)
    return {"objects": deleted}


def _audit(term: Term, current: dt.datetime) -> dict[str, int]:
    """Whole days of the clinic's calendar before the first day still kept."""
    first_kept = term.before(current).astimezone(clinic_zone()).date()
    deleted = 0
    for back in range(1, AUDIT_DAYS_LOOKED_AT + 1):
        entries = store.audit_day((first_kept - dt.timedelta(days=back)).isoformat())
        if entries:
            deleted += store.delete_audit_entries(entries)
    _audited("audit", term, "audit_entries", deleted, current)
    return {"audit_entries": deleted}


def _medical_records(schedule: RetentionSchedule, current: dt.datetime) -> dict[str, int]:
    """A patient's records go when the patient's last visit is past the term: every booking with its conclusion,
    documents (and their files), room; the signed legal documents past their own term with them. A patient with
    a booking ahead, or a visit within the term, keeps everything."""
    medical_cutoff = to_key(schedule.medical_records.before(current))  # as bookings store their start
    legal_cutoff = _iso(schedule.legal_documents.before(current))
    totals = dict.fromkeys(("bookings", "conclusions", "attachments", "rooms", "addresses", "files", "consents"), 0)
    for patient_id in store.patients_with_visits_before(medical_cutoff):
        last = store.last_visit(patient_id)
        if last is None or last >= medical_cutoff:
            continue
        counts = dict.fromkeys(totals, 0)
        for booking in store.patient_bookings(patient_id):
            _one_booking(booking.booking_id, medical_cutoff, counts)
        if last < legal_cutoff:
            counts["consents"] = sum(
                store.delete_consent(consent, legal_cutoff)
                for consent in store.patient_consents(patient_id)
                if consent.signed_at < legal_cutoff and (consent.withdrawn_at or "") < legal_cutoff
            )
        for kind, count in counts.items():
            rule = "legal_documents" if kind == "consents" else "medical_records"
            _audited(rule, getattr(schedule, rule), kind, count, current, patient_id)
            totals[kind] += count
    return totals


def _one_booking(booking_id: str, cutoff: str, counts: dict[str, int]) -> None:
    """What hangs on the booking first, the booking last: if the run stops half-way, the booking is still there to
    be found the next night. Each record's delete is conditional on the record as read, and its file goes only
    once the record is gone (a record changed meanwhile keeps its file; a run stopped between the two leaves a
    file no record names, under a key no one is given)."""
    booking = store.fresh_booking(booking_id)
    if booking is None or booking.starts_at >= cutoff:
        return
    conclusion = store.conclusion_of(booking_id)
    if conclusion is not None and store.delete_conclusion(conclusion):
        counts["conclusions"] += 1
        counts["files"] += _files([conclusion.pdf_key] if conclusion.pdf_key else [])
    for attachment in store.attachments_of(booking_id):
        if store.delete_attachment(attachment):
            counts["attachments"] += 1
            counts["files"] += _files([attachment.s3_key])
    room = store.room_of(booking.room_id) if booking.room_id else None
    if room is not None:
        counts["rooms"] += int(store.delete_room(room))
    if booking.documents_token:
        counts["addresses"] += int(store.delete_documents_address(token_hash(booking.documents_token), booking_id))
    counts["bookings"] += int(store.delete_booking(booking, cutoff))


def _files(keys: list[str]) -> int:
    versions = [v for key in keys for v in store.versions_of(key)]
    return store.delete_versions(versions) if versions else 0
