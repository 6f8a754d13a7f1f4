"""Helpers that exist only in the local stage (moto stands in for AWS there)."""
