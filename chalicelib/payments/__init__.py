"""Payments through YooKassa: creating them, believing only YooKassa, refunds."""
