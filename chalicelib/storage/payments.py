"""The booking's payment transitions, each one conditional write or transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.storage import bookings
from chalicelib.storage.access import delete_if, update_if
from chalicelib.storage.tables import Booking, HoldAllowance, OutboxMessage, Room, Slot
from chalicelib.storage.transactions import Transaction, TransactionRefused

UNPAID = ("held", "awaiting_payment")


def money_day(at: str) -> str:
    """The UTC day of a payment or refund recorded at `at` (ISO 8601): the reconciliation reads bookings by it."""
    return dt.datetime.fromisoformat(at).astimezone(dt.UTC).date().isoformat()


class HoldGone(Exception):
    """The booking's hold ran out or the booking moved on."""


class SlotLost(Exception):
    """The slot is no longer this booking's."""


class AlreadyApplied(Exception):
    """The booking has already left the state this change starts from."""


def await_payment(
    booking: Booking,
    *,
    payment_id: str,
    payment_status: str,
    confirmation_url: str,
    attempt: int,
    hold_until: str,
    now_key: str,
    at: str,
) -> None:
    """held → awaiting_payment; the hold (booking, slot, allowance) stretched over the payment window."""
    tx = Transaction()
    tx.update(
        "booking",
        booking,
        [
            Booking.status.set("awaiting_payment"),
            Booking.payment_id.set(payment_id),
            Booking.payment_status.set(payment_status),
            Booking.confirmation_url.set(confirmation_url),
            Booking.payment_attempt.set(attempt),
            Booking.hold_expires_at.set(hold_until),
            Booking.updated_at.set(at),
        ],
        condition=Booking.status.is_in(*UNPAID) & (Booking.hold_expires_at >= now_key),
    )
    tx.update(
        "slot",
        Slot(booking.doctor_id, booking.starts_at),
        [Slot.hold_expires_at.set(hold_until)],
        condition=(Slot.booking_id == booking.booking_id) & (Slot.status == "held"),
    )
    if booking.allowance_n is not None:
        tx.update(
            "allowance",
            HoldAllowance(booking.patient_id, int(booking.allowance_n)),
            [HoldAllowance.expires_at.set(hold_until)],
            condition=HoldAllowance.booking_id == booking.booking_id,
        )
    try:
        tx.commit()
    except TransactionRefused:
        raise HoldGone() from None


def confirm_paid(
    booking: Booking,
    *,
    payment_id: str,
    at: str,
    room: Room,
    mail: OutboxMessage,
    from_statuses: tuple[str, ...],
    documents: tuple[Any, str] | None = None,
    receipts: dict[str, Any] | None = None,
    receipt_job: OutboxMessage | None = None,
) -> None:
    """The payment is real: booking paid, slot booked, room and documents address created, email queued — all
    or nothing. `documents`: (the DocumentsAddress lookup item, its raw token). `receipts`: the booking's receipts
    from now on (the payment's prepayment receipt), by kind; `receipt_job`: one that follows a receipt still pending."""
    tx = Transaction()
    actions = [
        Booking.status.set("paid"),
        Booking.payment_id.set(payment_id),
        Booking.payment_status.set("succeeded"),
        Booking.paid_at.set(at),
        Booking.money_day.set(money_day(at)),
        Booking.room_id.set(room.room_id),
        Booking.hold_expires_at.remove(),
        Booking.room_opens_at.set(room.lobby_at),
        Booking.room_closes_at.set(room.closes_at),
        Booking.updated_at.set(at),
    ]
    if documents is not None:
        actions.append(Booking.documents_token.set(documents[1]))
    if receipts is not None:
        actions.append(Booking.receipts.set(receipts))
    tx.update("booking", booking, actions, condition=Booking.status.is_in(*from_statuses))
    tx.update(
        "slot",
        Slot(booking.doctor_id, booking.starts_at),
        [Slot.status.set("booked"), Slot.hold_expires_at.remove()],
        condition=(Slot.booking_id == booking.booking_id) & (Slot.status == "held"),
    )
    tx.put("room", room, condition=Room.room_id.does_not_exist())
    if documents is not None:
        tx.put("documents_address", documents[0], condition=type(documents[0]).token_hash.does_not_exist())
    tx.put("mail", mail, condition=OutboxMessage.message_id.does_not_exist())
    if receipt_job is not None:
        tx.put("receipt_job", receipt_job, condition=OutboxMessage.message_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused as refused:
        if "booking" in refused.failed:
            raise AlreadyApplied() from None
        raise SlotLost() from None


def release_allowance(booking: Booking) -> None:
    if booking.allowance_n is None:
        return
    delete_if(
        HoldAllowance(booking.patient_id, int(booking.allowance_n)), HoldAllowance.booking_id == booking.booking_id
    )


def record_refund(
    booking: Booking,
    *,
    refund_id: str,
    refund_status: str,
    reason: str,
    new_status: str,
    at: str,
    from_statuses: tuple[str, ...],
    mail: OutboxMessage | None,
    free_slot: bool,
    receipts: list[dict[str, Any]] | None = None,
    receipt_job: OutboxMessage | None = None,
) -> None:
    """The booking is refunded (or cancelled with a refund on its way); its slot may be freed; one email;
    `receipts`: the receipts this adds to the booking's (the refund's, by kind)."""
    tx = Transaction()
    actions: list[Any] = [
        Booking.status.set(new_status),
        Booking.refund_id.set(refund_id),
        Booking.refund_status.set(refund_status),
        Booking.refund_reason.set(reason),
        Booking.money_day.set(money_day(at)),
        Booking.updated_at.set(at),
    ]
    if refund_status == "succeeded":
        actions.append(Booking.refunded_at.set(at))
    condition = Booking.status.is_in(*from_statuses)
    if receipts:
        receipt_actions, receipts_condition = bookings.receipt_actions(booking, receipts)
        actions += receipt_actions
        condition &= receipts_condition
    tx.update("booking", booking, actions, condition=condition)
    if free_slot:
        tx.update(
            "slot",
            Slot(booking.doctor_id, booking.starts_at),
            [Slot.status.set("free"), Slot.booking_id.remove(), Slot.hold_expires_at.remove()],
            condition=Slot.booking_id == booking.booking_id,
        )
    if mail is not None:
        tx.put("mail", mail, condition=OutboxMessage.message_id.does_not_exist())
    if receipt_job is not None:
        tx.put("receipt_job", receipt_job, condition=OutboxMessage.message_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused as refused:
        if "booking" in refused.failed:
            raise AlreadyApplied() from None
        raise SlotLost() from None


def set_payment_status(booking: Booking, payment_id: str, status: str, at: str) -> None:
    """Note a payment's final state (e.g. canceled) on the booking still waiting for it."""
    update_if(
        booking,
        [Booking.payment_status.set(status), Booking.updated_at.set(at)],
        (Booking.payment_id == payment_id) & (Booking.status == "awaiting_payment"),
    )


def refund_succeeded(booking: Booking, refund_id: str, at: str) -> bool:
    """The recorded refund went through. The status stays: whoever refunded set it (refunded, no_show_doctor)."""
    return update_if(
        booking,
        [
            Booking.refund_status.set("succeeded"),
            Booking.refunded_at.set(at),
            Booking.money_day.set(money_day(at)),
            Booking.updated_at.set(at),
        ],
        (Booking.refund_id == refund_id) & (Booking.refund_status != "succeeded"),
    )
