"""The doctor's conclusion: drafts, the signed PDF, delivery, verification."""
