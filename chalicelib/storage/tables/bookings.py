"""Bookings, their video rooms and the rooms' signaling connections."""

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


class BookingsByPatient(GlobalSecondaryIndex["Booking"]):
    class Meta:
        index_name = "by_patient"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class BookingsByDoctor(GlobalSecondaryIndex["Booking"]):
    class Meta:
        index_name = "by_doctor"
        projection = AllProjection()

    doctor_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class BookingsByMoneyDay(GlobalSecondaryIndex["Booking"]):
    """Bookings by the UTC day of their last payment or refund: the reconciliation with YooKassa reads a day."""

    class Meta:
        index_name = "by_money_day"
        projection = AllProjection()

    money_day = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute(range_key=True)


class Booking(Model):
    """A patient's consultation with a doctor at a slot's time, through its statuses."""

    Meta = table_meta("bookings")
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
    # YYYY-MM-DD (UTC) of the last payment or refund recorded: the reconciliation's index (absent: no money moved).
    money_day = UnicodeAttribute(null=True)
    room_id = UnicodeAttribute(null=True)
    # The room's window (copied from the room when it is made): the doctor's day shows and enters it.
    room_opens_at = UnicodeAttribute(null=True)
    room_closes_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    # Moves to another time (chalicelib/reschedule.py): the timer's execution is `<booking>-<moves>` after one.
    moves = NumberAttribute(null=True)
    moved_at = UnicodeAttribute(null=True)
    attachments_count = NumberAttribute(default=0)
    # The secret of the booking's own documents address (docs+<token>@…), made when it is paid; shown to its
    # patient. Mail reaches the booking through DocumentsAddress, which holds only the token's SHA-256.
    documents_token = UnicodeAttribute(null=True)
    # 54-FZ receipts by kind (prepayment | closing | refund): {kind, status pending|succeeded|canceled, at (UTC),
    # amount, receipt_id when known}; chalicelib/payments/receipts.py.
    receipts: MapAttribute[str, Any] = MapAttribute(null=True)
    by_patient = BookingsByPatient()
    by_doctor = BookingsByDoctor()
    by_money_day = BookingsByMoneyDay()


class Room(Model):
    """The video room of one paid booking. The link's token is stored only as its SHA-256."""

    Meta = table_meta("rooms")
    room_id = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    doctor_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    status = UnicodeAttribute(default="scheduled")  # scheduled → lobby → open → closed (ended_at: over early)
    lobby_at = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    closes_at = UnicodeAttribute()
    doctor_joined_at = UnicodeAttribute(null=True)
    patient_joined_at = UnicodeAttribute(null=True)
    # The consultation ended (by the doctor's «Завершить», or the conclusion signed) before the room closed.
    ended_at = UnicodeAttribute(null=True)
    ended_by = UnicodeAttribute(null=True)  # doctor | conclusion
    # The link sent again (a new token each time): the last time, and how many times on that clinic day.
    link_sent_at = UnicodeAttribute(null=True)
    link_sent_day = UnicodeAttribute(null=True)
    link_sends = NumberAttribute(null=True)
    # Its signaling connections by role: added with the connection (refused once ended or closed), removed at its
    # disconnect. Read strongly with the room, unlike the by_room index: whatever ends or closes the room reaches
    # every connection that exists.
    doctor_connections = UnicodeSetAttribute(null=True)
    patient_connections = UnicodeSetAttribute(null=True)
    # The patient in the lobby (chalicelib/rooms/waiting.py): since, seen_at (UTC), camera and microphone (yes, no,
    # checking), network_kbps, verdict. Present while seen_at is fresh (heartbeats); removed when they leave.
    patient_waiting: MapAttribute[str, Any] = MapAttribute(null=True)
    guest_waiting: MapAttribute[str, Any] = MapAttribute(null=True)  # the same, of the invited guest
    created_at = UnicodeAttribute()
    # One guest per booking (rooms.guests): invited by the patient or the registry, with a link of their own (the
    # token's hash); invited → revoked (by whoever invited) or removed (by the doctor). Its sends, as the link's.
    guest_status = UnicodeAttribute(null=True)  # invited | revoked | removed
    guest_name = UnicodeAttribute(null=True)
    guest_email = UnicodeAttribute(null=True)
    guest_relation = UnicodeAttribute(null=True)  # representative | relative | interpreter
    guest_token_hash = UnicodeAttribute(null=True)
    guest_invited_at = UnicodeAttribute(null=True)
    guest_invited_by = UnicodeAttribute(null=True)
    guest_ended_at = UnicodeAttribute(null=True)
    guest_joined_at = UnicodeAttribute(null=True)
    guest_left_at = UnicodeAttribute(null=True)
    guest_sent_at = UnicodeAttribute(null=True)
    guest_sent_day = UnicodeAttribute(null=True)
    guest_sends = NumberAttribute(null=True)
    guest_connections = UnicodeSetAttribute(null=True)


class ConnectionsByRoom(GlobalSecondaryIndex["Connection"]):
    class Meta:
        index_name = "by_room"
        projection = AllProjection()

    room_id = UnicodeAttribute(hash_key=True)


class Connection(Model):
    """A signaling WebSocket of one participant (patient or doctor) in one room."""

    Meta = table_meta("connections")
    connection_id = UnicodeAttribute(hash_key=True)
    room_id = UnicodeAttribute()
    role = UnicodeAttribute()  # patient | doctor | guest
    connected_at = UnicodeAttribute()
    ttl = TTLAttribute()
    # What a relayed message needs without reading the room (chalicelib/rooms/signaling): `relaying` once this
    # connection saw the room open and not ended (its attendance recorded), with the room's close and `peers`, the
    # other participant's connections. A change that may refuse signaling (ended, conclusion, cancelled) sets
    # `room_changed_at`: the next message reads the room again.
    closes_at = UnicodeAttribute(null=True)
    relaying = BooleanAttribute(null=True)
    peers = UnicodeSetAttribute(null=True)
    room_changed_at = UnicodeAttribute(null=True)
    by_room = ConnectionsByRoom()
