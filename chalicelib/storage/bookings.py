"""Bookings, and the one transaction that holds a slot for a patient."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.errors import Conflict
from chalicelib.storage.access import get_or_none, plain, update_if
from chalicelib.storage.errors import condition_failed, store_errors
from chalicelib.storage.slots import book_part, free_now, hold_has_expired, let_go_part
from chalicelib.storage.tables import Booking, HoldAllowance, OutboxMessage, Room, Slot
from chalicelib.storage.transactions import Transaction, TransactionRefused


class HoldRefused(Exception):
    """The hold transaction was cancelled; `slot` / `allowance` say which condition failed."""

    def __init__(self, slot: bool, allowance: bool) -> None:
        super().__init__("hold refused")
        self.slot = slot
        self.allowance = allowance


def new_booking(booking_id: str, **values: Any) -> Booking:
    """A booking not stored yet (`hold` stores it)."""
    return Booking(booking_id, **values)


def new_allowance(patient_id: str, n: int, **values: Any) -> HoldAllowance:
    """One of a patient's hold allowances, not taken yet (`hold` takes it)."""
    return HoldAllowance(patient_id, n, **values)


def hold(slot: Slot, booking: Booking, allowance: HoldAllowance, now_key: str) -> None:
    """Slot free (or its hold expired) → held by `booking`; the booking created; one allowance taken.

    One TransactWriteItems: all three or none.
    """
    tx = Transaction()
    tx.update(
        "slot",
        slot,
        [
            Slot.status.set("held"),
            Slot.booking_id.set(booking.booking_id),
            Slot.hold_expires_at.set(booking.hold_expires_at),
        ],
        condition=Slot.starts_at.exists() & (Slot.starts_at > now_key) & free_now(now_key),
    )
    tx.put("booking", booking, condition=Booking.booking_id.does_not_exist())
    tx.put("allowance", allowance, condition=HoldAllowance.n.does_not_exist() | (HoldAllowance.expires_at < now_key))
    try:
        tx.commit()
    except TransactionRefused as refused:
        raise HoldRefused(slot="slot" in refused.failed, allowance="allowance" in refused.failed) from None


def release_hold(booking: Booking, new_status: str, at: str, from_statuses: tuple[str, ...]) -> None:
    """The booking leaves `from_statuses`; its slot is free again and its allowance returned."""
    tx = Transaction()
    closing: list[Action] = [Booking.status.set(new_status), Booking.updated_at.set(at), Booking.cancelled_at.set(at)]
    tx.update("booking", booking, closing, condition=Booking.status.is_in(*from_statuses))
    tx.update(
        "slot",
        Slot(booking.doctor_id, booking.starts_at),
        [Slot.status.set("free"), Slot.booking_id.remove(), Slot.hold_expires_at.remove()],
        condition=Slot.booking_id == booking.booking_id,
    )
    if booking.allowance_n is not None:
        tx.delete(
            "allowance",
            HoldAllowance(booking.patient_id, int(booking.allowance_n)),
            condition=HoldAllowance.booking_id == booking.booking_id,
        )
    try:
        tx.commit()
    except TransactionRefused as refused:
        if "booking" in refused.failed:
            raise Conflict("booking moved on") from None
        # The slot or the allowance went on to someone else after this hold expired: only the booking changes.
        try:
            with store_errors():
                booking.update(actions=closing, condition=Booking.status.is_in(*from_statuses))
        except UpdateError as exc:
            if condition_failed(exc):
                raise Conflict("booking moved on") from None
            raise


def mark_expired(booking: Booking, at: str) -> None:
    """Record that an unpaid hold (held or awaiting payment) ran out; reads show it as expired either way."""
    try:
        with store_errors():
            booking.update(
                actions=[Booking.status.set("expired"), Booking.updated_at.set(at)],
                condition=hold_has_expired(Booking, at),
            )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


class MoveRefused(Exception):
    """The move's transaction was cancelled: `slot` — the new slot is no longer free (at that price); otherwise the
    booking or its room changed meanwhile."""

    def __init__(self, slot: bool) -> None:
        super().__init__("move refused")
        self.slot = slot


def move_to_slot(
    booking: Booking, slot: Slot, room_times: dict[str, str], at: str, now_key: str, messages: list[OutboxMessage]
) -> int:
    """A paid booking moves to `slot`, one TransactWriteItems: the old slot freed, the new one booked, the booking
    and its room at the new times (the same room and link), `messages` (the email, the timer's job) queued. All or
    nothing; the booking as read (status paid, its time, its move count) is the condition. The new move count."""
    moves = int(booking.moves or 0) + 1
    tx = Transaction()
    same_moves = Booking.moves.does_not_exist() if booking.moves is None else Booking.moves == booking.moves
    tx.update(
        "booking",
        booking,
        [
            Booking.starts_at.set(slot.starts_at),
            Booking.ends_at.set(slot.ends_at),
            Booking.doctor_id.set(slot.doctor_id),
            Booking.doctor_name.set(slot.doctor_name),
            Booking.specialty_name.set(slot.specialty_name),
            Booking.room_opens_at.set(room_times["lobby_at"]),
            Booking.room_closes_at.set(room_times["closes_at"]),
            Booking.moves.set(moves),
            Booking.moved_at.set(at),
            Booking.reminded_at.remove(),
            Booking.updated_at.set(at),
        ],
        condition=(Booking.status == "paid")
        & (Booking.starts_at == booking.starts_at)
        & (Booking.doctor_id == booking.doctor_id)
        & same_moves,
    )
    let_go_part(tx, booking.doctor_id, booking.starts_at, booking.booking_id)
    book_part(tx, slot, booking.booking_id, int(booking.price), now_key)
    tx.update(
        "room",
        Room(str(booking.room_id)),
        [
            Room.status.set("scheduled"),
            Room.doctor_id.set(slot.doctor_id),
            *(getattr(Room, name).set(value) for name, value in room_times.items()),
        ],
        condition=(Room.booking_id == booking.booking_id)
        & Room.ended_at.does_not_exist()
        & Room.status.is_in("scheduled", "lobby"),
    )
    for n, message in enumerate(messages):
        tx.put(f"message_{n}", message, condition=OutboxMessage.message_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused as refused:
        raise MoveRefused(slot="new_slot" in refused.failed) from None
    return moves


def booking_key(booking_id: str) -> tuple[type[Booking], str, None]:
    """The booking's key, to read it in one batch with other items (storage.batch.get_many)."""
    return (Booking, booking_id, None)


def get_booking(booking_id: str) -> Booking | None:
    return get_or_none(Booking, booking_id)


def bookings_of_patient(patient_id: str, limit: int = 100) -> list[Booking]:
    with store_errors():
        return list(Booking.by_patient.query(patient_id, scan_index_forward=False, limit=limit))


def bookings_of_doctor(
    doctor_id: str, from_key: str | None = None, to_key: str | None = None, limit: int = 200
) -> list[Booking]:
    condition: Any = None
    if from_key and to_key:
        condition = Booking.starts_at.between(from_key, to_key)
    with store_errors():
        return list(Booking.by_doctor.query(doctor_id, condition, limit=limit))


def allowances_of(patient_id: str) -> list[HoldAllowance]:
    with store_errors():
        return list(HoldAllowance.query(patient_id, consistent_read=True))


def move(booking: Booking, to_status: str, from_statuses: tuple[str, ...], at: str) -> bool:
    """One status change, only from the statuses named; False when the booking was elsewhere."""
    return update_if(
        booking, [Booking.status.set(to_status), Booking.updated_at.set(at)], Booking.status.is_in(*from_statuses)
    )


def mark_reminded(booking: Booking, at: str) -> bool:
    """True the first time only (the timer's messages may come twice)."""
    return update_if(booking, [Booking.reminded_at.set(at)], Booking.reminded_at.does_not_exist())


def receipts_of(booking: Booking) -> dict[str, dict[str, Any]]:
    """The booking's 54-FZ receipts by kind (empty for a booking paid before receipts were kept)."""
    return {kind: dict(plain(value)) for kind, value in plain(booking.receipts).items()}


def receipt_actions(booking: Booking, entries: list[dict[str, Any]]) -> tuple[list[Action], Any]:
    """Actions that record receipts on the booking as read (kind → entry), and the condition that keeps them
    right: a booking without receipts gets the whole map (only while it still has none)."""
    if booking.receipts is None:
        return [Booking.receipts.set({e["kind"]: e for e in entries})], Booking.receipts.does_not_exist()
    return [Booking.receipts[e["kind"]].set(e) for e in entries], Booking.receipts.exists()


def set_receipt(booking: Booking, entry: dict[str, Any], *, only_if_not: str) -> bool:
    """Record one receipt's state, unless that receipt is in status `only_if_not` already (a retry, a repeated
    delivery: the first one stands). False when it was."""
    actions, condition = receipt_actions(booking, [entry])
    if booking.receipts is not None:
        existing = Booking.receipts[entry["kind"]]
        condition &= existing.does_not_exist() | (existing["status"] != only_if_not)
    return update_if(booking, actions, condition)
