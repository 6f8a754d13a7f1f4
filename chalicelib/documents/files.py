"""What a document may be: PDF, JPEG or PNG (by its first bytes), at most 20 MB, at most 10 a booking."""

from __future__ import annotations

MAX_SIZE = 20 * 1024 * 1024
MAX_PER_BOOKING = 10
TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(head: bytes) -> str | None:
    """The real type from the first bytes, or None when it is none of ours."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def safe_filename(name: str) -> str:
    keep = "".join(ch for ch in name.replace("\\", "/").split("/")[-1] if ch.isprintable() and ch not in '<>:"|?*')
    return (keep.strip() or "document")[:120]
