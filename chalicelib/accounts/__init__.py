"""Accounts: medical cards and credentials, passwords, sessions, throttling, reset."""
