"""Bookings: holding a slot, the booking's statuses, who may see and change one."""
