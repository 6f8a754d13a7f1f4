"""What the booking timer reports (through SQS): remind, opened, closed."""

from __future__ import annotations

import json
import uuid
from typing import Any

from chalicelib import outbox
from chalicelib.booking import rules
from chalicelib.booking.mails import reminder_mail
from chalicelib.clock import now
from chalicelib.logs import log_event
from chalicelib.payments import refunds
from chalicelib.rooms.service import room_status
from chalicelib.rooms.signaling import Sender
from chalicelib.sms import sending
from chalicelib.storage import accounts as account_store
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import outbox as outbox_store
from chalicelib.storage import rooms as store


def handle(body: str, sender: Sender) -> str:
    event = json.loads(body)
    booking = booking_store.get_booking(event.get("booking_id", ""))
    room = store.get_room(event.get("room_id", ""))
    if booking is None or room is None or booking.room_id != room.room_id:
        log_event("timer_event_unknown", kind=event.get("event"))
        return "unknown"
    kind = event.get("event")
    if event.get("starts_at") not in (None, room.starts_at):
        # The booking's time before it was moved (chalicelib/reschedule.py): a redelivered message of the stopped
        # execution acts on nothing.
        log_event("timer_event_stale", kind=kind)
        return "stale"
    at = now().isoformat()
    if kind == "remind":
        return _remind(booking, at)
    if kind == "opened":
        booking_store.move(booking, rules.IN_PROGRESS, (rules.PAID,), at)
        # Whoever already waits in the lobby is present at the opening, and relays from now on without reading
        # the room (signaling): each connection learns the other participant's.
        doctors, patients = store.connections_of(room, "doctor"), store.connections_of(room, "patient")
        store.mark_present(room, ["doctor"] * bool(doctors) + ["patient"] * bool(patients), at)
        if room.ended_at is None and room_status(room, now()) == "open":
            for ids, peers in ((doctors, patients), (patients, doctors)):
                for connection_id in sorted(ids):
                    store.start_relaying(connection_id, peers, room.closes_at)
        sender.to_connections(doctors | patients, {"type": "room_open", "server_time": at})
        log_event("room_opened", booking_id=booking.booking_id, room_id=room.room_id)  # the clinic's dashboard
        return "opened"
    if kind == "closed":
        if room.status != "closed":  # the state machine's CloseRoom did it already, as a rule; closed is final
            # Attendance as written by then (the room's time is over: nothing records it any more).
            room = store.set_room_status(room.room_id, "closed", ("scheduled", "lobby", "open")) or room
        sender.to_connections(store.connections_of(room), {"type": "room_closed"})
        return _attendance(booking, room, at)
    return "ignored"


def _remind(booking: Any, at: str) -> str:
    """The reminder's email and, when the patient asked for them, its SMS: written with the booking's mark in one
    transaction (ids made from the booking and its start), so a redelivered event writes and sends nothing more;
    then sent at once, or later by the outbox."""
    if booking.status != rules.PAID or booking.reminded_at:  # reminded already (the condition below says it too)
        return "no_reminder"
    email = reminder_mail(booking)
    email.message_id = uuid.uuid5(uuid.NAMESPACE_URL, f"reminder-{booking.booking_id}-{booking.starts_at}").hex
    messages = [email]
    if sending.wanted(account_store.get_user(booking.patient_id)):
        messages.append(sending.reminder_job(booking, at))
    if not outbox_store.write_reminder(booking, rules.PAID, at, messages):
        return "no_reminder"
    for message in messages:
        outbox.deliver_written(message)
    return "reminded"


def _attendance(booking: Any, room: Any, at: str) -> str:
    """At the close: a doctor who never came means a full refund; a patient who never came is recorded."""
    attended = (rules.PAID, rules.IN_PROGRESS)
    if room.doctor_joined_at is None:
        if booking.status in attended:
            refunds.refund_booking(booking, "doctor_no_show", rules.NO_SHOW_DOCTOR, free_slot=False)
            log_event("no_show_doctor", booking_id=booking.booking_id)
        return "no_show_doctor"
    if room.patient_joined_at is None:
        booking_store.move(booking, rules.NO_SHOW_PATIENT, attended, at)
        log_event("no_show_patient", booking_id=booking.booking_id)
        return "no_show_patient"
    return "attended"
