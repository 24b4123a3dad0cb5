"""The public hash chain's spelling: the bytes a link hashes and how the hash is taken.

Pure functions, shared by the sealer (``services``), the public feed (``selectors``) and the
chain check (``checks``), so anyone can recompute a chain from the downloadable feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_time(moment: Any) -> str:
    """UTC, ISO 8601 with microseconds: the one spelling of a time inside a hash."""
    return str(moment.astimezone(dt.UTC).isoformat(timespec="microseconds"))


def canonical_entry_json(entry_id: int, kind: str, created_at: Any, postings: list[tuple[str, int]]) -> bytes:
    """The bytes a public chain link hashes: entry id, kind, time and the public account's postings."""
    body = {
        "entry_id": entry_id,
        "kind": kind,
        "created_at": canonical_time(created_at),
        "postings": [{"account": code, "amount_fen": amount} for code, amount in sorted(postings)],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + payload).hexdigest()
