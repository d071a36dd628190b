"""Exact-text identity: one hash per article text, blind to case and white space."""

from __future__ import annotations

import hashlib


def content_hash(text: str) -> str:
    """SHA-256 of the text with case and white space normalised (runs of str.isspace()
    characters become one space, the ends are trimmed, then casefold)."""
    normalised = " ".join(text.split()).casefold()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
