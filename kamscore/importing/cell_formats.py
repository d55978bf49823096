"""Numbers and dates as spreadsheets in European locales write them, turned into the
canonical forms the row rules check (``1234.56``, ``2026-03-31``).

Never guessed: a decimal comma is read when the file is separated by semicolons (what Excel
writes where the comma is the decimal mark) or when the importer is told so (``--decimal ,``);
``DD.MM.YYYY`` and ``DD/MM/YYYY`` dates only with an explicit ``--date-format``. Without it a
date such as ``03/04/2026`` is refused with the reason: it could be 3 April or 4 March.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kamscore.sentences import N_, Sentence

#: The ``--date-format`` choices, as people write them, to strptime's.
DATE_FORMATS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD.MM.YYYY": "%d.%m.%Y",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OTHER_DATE = re.compile(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})$")
_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


class CellError(ValueError):
    """A cell that cannot be read as its column's type; ``sentence`` says why (``str()``
    of the exception is its English text)."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(str(sentence))
        self.sentence = sentence


@dataclass(frozen=True)
class CellFormat:
    """How a file writes numbers and dates: ``decimal`` mark, ``date_format`` (a key of
    :data:`DATE_FORMATS`, or None for ``YYYY-MM-DD`` only)."""

    decimal: str = "."
    date_format: str | None = None

    def __post_init__(self) -> None:
        if self.decimal not in (".", ","):
            raise ValueError(f"the decimal mark is '.' or ',', not {self.decimal!r}")
        if self.date_format is not None and self.date_format not in DATE_FORMATS:
            raise ValueError(f"unknown date format {self.date_format!r}; the formats are: "
                             + ", ".join(DATE_FORMATS))


def number_text(text: str, decimal: str) -> str:
    """``text`` as a number with a decimal point; raises CellError with the reason.

    With a decimal comma, ``1.234,56`` → ``1234.56`` and ``0,85`` → ``0.85``; a point that is
    not a thousands separator (``1.5``) is refused rather than guessed.
    """
    if decimal == ".":
        return text  # the row rules refuse ``1,5`` with their own message
    if not _COMMA_NUMBER.match(text):
        raise CellError(N_("not a number (this file uses a decimal comma: write 1.234,56 or "
                           "0,85)"))
    return text.replace(".", "").replace(",", ".")


def date_text(text: str, date_format: str | None) -> str:
    """``text`` as ``YYYY-MM-DD``; raises CellError with the reason."""
    if date_format is None or date_format == "YYYY-MM-DD":
        if _ISO_DATE.match(text):
            return text
        other = _OTHER_DATE.match(text)
        if other:
            mark = other[2]
            raise CellError(N_(
                "%(date)s is not a YYYY-MM-DD date, and day and month are not guessed "
                "(%(readings)s): give --date-format %(day_first)s or %(month_first)s",
                date=text, readings=_readings(other), day_first=f"DD{mark}MM{mark}YYYY",
                month_first=f"MM{mark}DD{mark}YYYY"))
        return text  # the row rules refuse it with their own message
    try:
        return dt.datetime.strptime(text, DATE_FORMATS[date_format]).date().isoformat()
    except ValueError:
        raise CellError(N_("not a date in the format %(format)s", format=date_format)) from None


def _readings(match: re.Match[str]) -> Sentence:
    first, second = int(match[1]), int(match[3])
    if first <= 12 and second <= 12 and first != second:
        return N_("it could be day %(first)s of month %(second)s or day %(second)s of month "
                  "%(first)s", first=first, second=second)
    return N_("say which format the file uses")
