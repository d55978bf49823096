"""The ``page`` query parameter of the paged lists (KAMs, teams, accounts, a run's KAMs,
a campaign's subjects)."""

from __future__ import annotations

from flask import abort, request

from kamscore.db.ids import MAX_ID


def page_number() -> int:
    """``?page=`` as a whole number from 1 to ``MAX_ID`` (1 when absent); anything else,
    however long, is a 400 naming the parameter, never a number the database must refuse."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)) \
            or not 1 <= int(raw) <= MAX_ID:
        shown = raw if len(raw) <= 20 else f"{raw[:20]}… ({len(raw)} characters)"
        abort(400, description=f"page must be a whole number from 1 to {MAX_ID}, not {shown!r}")
    return int(raw)
