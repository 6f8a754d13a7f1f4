"""Slots: one item per consultation time; holding one is a conditional write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.expressions.condition import And, Condition, Or

from chalicelib.storage.access import delete_if, save_if, update_if
from chalicelib.storage.errors import store_errors
from chalicelib.storage.tables import Booking, Slot
from chalicelib.storage.transactions import Transaction

# An unpaid booking's statuses (booking.rules.UNPAID); its slot is "held" through both.
HOLDING = ("held", "awaiting_payment")


def hold_has_expired(item: type[Slot] | type[Booking], now_key: str) -> Condition:
    """DynamoDB's form of booking.rules.hold_has_expired, for a slot or a booking: held, and the hold's last
    second is before `now_key` (TTL is late; the condition decides)."""
    return And(item.status.is_in(*HOLDING), item.hold_expires_at < now_key)


def slot_key(doctor_id: str, starts_at: str) -> tuple[type[Slot], str, str]:
    """The slot's key, to read it in one batch with other items (storage.batch.get_many)."""
    return (Slot, doctor_id, starts_at)


def free_now(now_key: str) -> Condition:
    """The condition 'free, or held with a hold that has expired'."""
    return Or(Slot.status == "free", hold_has_expired(Slot, now_key))


def slots_between(doctor_id: str, from_key: str, to_key: str, consistent: bool = False) -> list[Slot]:
    with store_errors():
        return list(Slot.query(doctor_id, Slot.starts_at.between(from_key, to_key), consistent_read=consistent))


def free_slots_between(doctor_id: str, from_key: str, to_key: str, now_key: str) -> list[Slot]:
    """One Query: the free slots of one doctor in a time range."""
    with store_errors():
        return list(Slot.query(doctor_id, Slot.starts_at.between(from_key, to_key), filter_condition=free_now(now_key)))


def free_slots_after(doctor_id: str, from_key: str, to_key: str, now_key: str, limit: int) -> list[Slot]:
    found: list[Slot] = []
    with store_errors():
        for slot in Slot.query(doctor_id, Slot.starts_at.between(from_key, to_key), filter_condition=free_now(now_key)):
            found.append(slot)
            if len(found) >= limit:
                break
    return found


def create_slot(slot: Slot) -> bool:
    """Add a slot unless one already starts then; False if it did."""
    return save_if(slot, Slot.starts_at.does_not_exist())


def create_slots_in_batches(slots: list[Slot]) -> int:
    """Unconditional batch writes: only while no one can hold a slot (seeding a new stack)."""
    with store_errors(), Slot.batch_write() as batch:
        for slot in slots:
            batch.save(slot)
    return len(slots)


def remove_free_slot(slot: Slot, now_key: str) -> bool:
    """Delete a slot only while nobody holds or has booked it; False when someone does."""
    return delete_if(slot, free_now(now_key))


def reprice_free_slot(slot: Slot, now_key: str, **values: object) -> None:
    update_if(slot, [getattr(Slot, name).set(value) for name, value in values.items()], free_now(now_key))


def iter_future(doctor_id: str, from_key: str) -> Iterator[Slot]:
    with store_errors():
        yield from Slot.query(doctor_id, Slot.starts_at >= from_key)


def new_slot(doctor_id: str, starts_at: str, **values: Any) -> Slot:
    """A free slot not stored yet (`create_slot` or `create_slots_in_batches` stores it)."""
    return Slot(doctor_id, starts_at, status="free", **values)


def let_go_part(tx: Transaction, doctor_id: str, starts_at: str, booking_id: str) -> None:
    """A transaction's part: the booking's slot is free again (only while it is still that booking's)."""
    tx.update(
        "old_slot",
        Slot(doctor_id, starts_at),
        [Slot.status.set("free"), Slot.booking_id.remove(), Slot.hold_expires_at.remove()],
        condition=Slot.booking_id == booking_id,
    )


def book_part(tx: Transaction, slot: Slot, booking_id: str, price: int, now_key: str) -> None:
    """A transaction's part: a free slot (or one whose hold ran out), still ahead and at `price`, booked for
    `booking_id` at once (a paid booking moving there)."""
    tx.update(
        "new_slot",
        Slot(slot.doctor_id, slot.starts_at),
        [Slot.status.set("booked"), Slot.booking_id.set(booking_id), Slot.hold_expires_at.remove()],
        condition=Slot.starts_at.exists() & (Slot.starts_at > now_key) & (Slot.price == price) & free_now(now_key),
    )
