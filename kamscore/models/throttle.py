"""Counts behind the throttles (sign-in failures, guessed survey links, API credentials).

One row per (throttle, key, window): ``key`` is an HMAC of what is counted (a username, a
client address) with the app's secret key, so no address or name is kept in clear. Rows of
windows that can no longer count are deleted as new hits arrive. Every web worker and host
shares them through the database (``kamscore.auth.throttle``; Redis instead when set up).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kamscore.models.base import Base
from kamscore.models.types import UTCDateTime


class ThrottleCount(Base):
    __tablename__ = "throttle_count"

    throttle: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime(), primary_key=True,
                                                      index=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
