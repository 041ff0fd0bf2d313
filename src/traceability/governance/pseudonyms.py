"""Pseudonyms: a stable keyed hash (HMAC-SHA256) of the person ID with the deployment's secret.

The same person has the same pseudonym everywhere; without the secret it cannot be reversed or
recomputed from a name.
"""

from __future__ import annotations

import hashlib
import hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a radio


def pseudonym(person_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), str(person_id).encode(), hashlib.sha256).digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    s = "".join(chars)
    return f"P-{s[:4]}-{s[4:]}"
