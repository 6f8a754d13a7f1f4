"""Cancelling a booking, with what it sets off: «Отменить запись» and staff's «Вернуть деньги».

An unpaid booking only lets its slot go (booking.holds). A paid one is refunded by the clinic's rule
(booking.rules: in full up to the deadline, nothing after; staff always in full), and its room and timer
are stopped. This module composes the three areas, so that booking/ needs neither payments/ nor rooms/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import outbox, timer
from chalicelib.accounts.sessions import Principal
from chalicelib.booking import access, holds, rules
from chalicelib.booking.mails import cancelled_mail
from chalicelib.booking.shapes import booking_view
from chalicelib.clock import now
from chalicelib.errors import DomainError
from chalicelib.logs import log_event
from chalicelib.payments import refunds
from chalicelib.rooms import states
from chalicelib.scheduling.times import from_key
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import payments as store
from chalicelib.storage.records import Booking


class NotCancellable(DomainError):
    code = "not_cancellable"


def cancel(principal: Principal, booking_id: str) -> dict[str, Any]:
    """«Отменить запись» (its patient, or staff for the patient): the booking as it is afterwards."""
    booking = holds.booking_to_cancel(principal, booking_id)
    current = now()
    if booking.status in rules.UNPAID:
        return holds.cancel_unpaid(principal, booking, current)
    return cancel_paid(principal, booking, current)


def refund_by_staff(staff: Principal, booking_id: str) -> dict[str, Any]:
    """Staff's «Вернуть деньги»: the booking is cancelled and, if paid, refunded in full at any time (an unpaid
    one just lets its slot go). It is `cancel` by staff: the deadline binds only a booking's own patient."""
    return cancel(staff, booking_id)


def cancel_paid(principal: Principal, booking: Booking, current: dt.datetime) -> dict[str, Any]:
    """The patient cancels: all the money back up to the deadline, none after; staff: always all."""
    if booking.status != rules.PAID or current >= from_key(booking.ends_at):
        raise NotCancellable(status=booking.status)
    by_staff = access.cancels_for_patient(principal, booking)
    if by_staff or rules.full_refund_due(booking, current):
        updated = refunds.refund_booking(
            booking, "staff" if by_staff else "patient_cancelled", rules.REFUNDED, free_slot=True
        )
    else:
        updated = _cancel_without_refund(booking, current)
    _close_room_and_timer(booking)
    log_event("paid_booking_cancelled", booking_id=booking.booking_id, by=principal.user_id)
    return booking_view(updated, current)


def _cancel_without_refund(booking: Booking, current: dt.datetime) -> Booking:
    """After the deadline: cancelled, the slot free again, the money kept; the patient is told why."""
    mail = cancelled_mail(booking)
    try:
        store.record_refund(
            booking,
            refund_id="",
            refund_status="none",
            reason="late_cancellation",
            new_status=rules.CANCELLED,
            at=current.isoformat(),
            from_statuses=(rules.PAID,),
            mail=mail,
            free_slot=True,
        )
    except store.AlreadyApplied:
        raise NotCancellable(status=booking.status) from None
    outbox.deliver(mail.message_id)
    return booking_store.get_booking(booking.booking_id) or booking


def _close_room_and_timer(booking: Booking) -> None:
    timer.stop(booking.booking_id, timer.generation(booking))
    if booking.room_id:
        states.close_room(booking.room_id)
