"""Outgoing email: pending messages, their retries, and what became of them."""

from __future__ import annotations

import datetime as dt

from chalicelib.storage.access import get_or_none, save_if, update_if
from chalicelib.storage.errors import AlreadyStored, store_errors
from chalicelib.storage.tables import Booking, OutboxMessage
from chalicelib.storage.transactions import Transaction, TransactionRefused


def new_message(message_id: str, to: str, template: str, context_json: str, at: str) -> OutboxMessage:
    """A pending message, not stored yet: the caller puts it in the transaction of the change it reports."""
    return OutboxMessage(
        message_id,
        status="pending",
        to=to,
        template=template,
        context=context_json,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )


def put_message(message: OutboxMessage) -> None:
    """Store a new message; AlreadyStored when one with its id is there (a repeated delivery wrote it)."""
    save_if(message, OutboxMessage.message_id.does_not_exist(), refused=AlreadyStored(message.message_id))


def write_reminder(booking: Booking, status: str, at: str, messages: list[OutboxMessage]) -> bool:
    """The booking marked reminded and its reminder's messages written, in one transaction: all or none. False when
    it was reminded already (the timer's event came again) or is no longer in `status`, or a message's id is there
    (its ids are made from the booking and its time: one reminder per booking and time)."""
    tx = Transaction()
    tx.update(
        "booking",
        booking,
        [Booking.reminded_at.set(at)],
        condition=Booking.reminded_at.does_not_exist() & (Booking.status == status),
    )
    for n, message in enumerate(messages):
        tx.put(f"message-{n}", message, condition=OutboxMessage.message_id.does_not_exist())
    try:
        tx.commit()
    except TransactionRefused:
        return False
    return True


def get_message(message_id: str) -> OutboxMessage | None:
    return get_or_none(OutboxMessage, message_id)


def defer(message: OutboxMessage, attempts: int, status: str, next_attempt_at: str, error: str) -> None:
    with store_errors():
        message.update(
            actions=[
                OutboxMessage.attempts.set(attempts),
                OutboxMessage.status.set(status),
                OutboxMessage.next_attempt_at.set(next_attempt_at),
                OutboxMessage.last_error.set(error),
            ]
        )


def mark_sent(message: OutboxMessage, at: dt.datetime, ses_message_id: str, keep_until: dt.datetime) -> None:
    """Sent: the context (which may hold a room link) is no longer kept. Only a pending message."""
    update_if(
        message,
        [
            OutboxMessage.status.set("sent"),
            OutboxMessage.sent_at.set(at.isoformat()),
            OutboxMessage.ses_message_id.set(ses_message_id),
            OutboxMessage.context.remove(),
            OutboxMessage.ttl.set(keep_until),
        ],
        OutboxMessage.status == "pending",
    )


def mark_failed(message: OutboxMessage, reason: str) -> None:
    """Never due again. Only a pending message."""
    update_if(
        message,
        [
            OutboxMessage.status.set("failed"),
            OutboxMessage.last_error.set(reason),
            OutboxMessage.attempts.set(int(message.attempts) + 1),
        ],
        OutboxMessage.status == "pending",
    )


def mark_dropped(message: OutboxMessage, reason: str, keep_until: dt.datetime) -> None:
    """Not to be sent any more, and no failure: what it was for is gone (an SMS whose patient withdrew the consent,
    a reminder of a booking cancelled meanwhile). Only a pending message."""
    update_if(
        message,
        [
            OutboxMessage.status.set("dropped"),
            OutboxMessage.last_error.set(reason),
            OutboxMessage.context.remove(),
            OutboxMessage.ttl.set(keep_until),
        ],
        OutboxMessage.status == "pending",
    )


def failed_messages(limit: int) -> list[OutboxMessage]:
    """Newest first."""
    with store_errors():
        return list(OutboxMessage.pending.query("failed", scan_index_forward=False, limit=limit))


def due_messages(now_iso: str, limit: int) -> list[OutboxMessage]:
    with store_errors():
        return list(OutboxMessage.pending.query("pending", OutboxMessage.next_attempt_at <= now_iso, limit=limit))
