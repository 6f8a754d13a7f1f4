"""Every bucket, key, identity and state machine of a stage, defined once.

The local stack and the tests provision them from here; the infrastructure
code declares the same names and settings for AWS.
"""
from __future__ import annotations

from email.utils import parseaddr

from chalicelib.config import settings


def documents_bucket() -> str:
    """Private bucket for patients' uploads and signed conclusions."""
    return settings().resource_name("documents")


def data_key_alias() -> str:
    """KMS key that encrypts stored documents (SSE-KMS)."""
    return f"alias/{settings().resource_prefix}-data"


def mail_identity() -> str:
    """The SES identity (domain) that mail is sent from."""
    return parseaddr(settings().mail_from)[1].split("@", 1)[1]
