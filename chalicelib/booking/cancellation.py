"""Cancelling a paid booking, by the refund rule; staff refunds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import roles
from chalicelib.accounts.sessions import Principal
from chalicelib.booking import rules
from chalicelib.booking.views import booking_view
from chalicelib.errors import DomainError
from chalicelib.logs import log_event
from chalicelib.storage import bookings as booking_store
from chalicelib.storage import payments as store
from chalicelib.storage.tables import Booking


class NotCancellable(DomainError):
    code = "not_cancellable"


def _close_room_and_timer(booking: Booking) -> None:
    from chalicelib import timer
    from chalicelib.rooms import states

    timer.stop(booking.booking_id)
    if booking.room_id:
        states.close_room(booking.room_id)


def cancel_paid(principal: Principal, booking: Booking, current: dt.datetime) -> dict[str, Any]:
    """The patient cancels: all the money back up to the deadline, none after; staff: always all."""
    from chalicelib import outbox
    from chalicelib.booking.mails import cancelled_mail
    from chalicelib.payments import refunds

    if booking.status != rules.PAID or current >= dt.datetime.fromisoformat(booking_view(booking, current)["ends_at"]):
        raise NotCancellable(status=booking.status)
    by_staff = principal.has(roles.REGISTRAR, roles.ADMIN) and booking.patient_id != principal.user_id
    if by_staff or refunds.full_refund_due(booking, current):
        updated = refunds.refund_booking(
            booking, "staff" if by_staff else "patient_cancelled", rules.REFUNDED, free_slot=True
        )
    else:
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
        updated = booking_store.get_booking(booking.booking_id) or booking
    _close_room_and_timer(booking)
    log_event("paid_booking_cancelled", booking_id=booking.booking_id, by=principal.user_id)
    return booking_view(updated, current)
