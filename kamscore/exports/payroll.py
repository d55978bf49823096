"""The payroll file: one row per pay line of a signed-off run — in CSV and XLSX (XlsxWriter).

Both carry the same columns, so that payroll can check a file against the run it came from:
the period, the run's id, the ruleset's name and version, the run's input hash, the KAM's code
and name, the line's payout (an exact amount, two decimals: what it adds to this payroll) and
currency, the sign-off — who closed the period and when (UTC) — and the line's kind (earnings,
adjustment, spiff, clawback, draw, recovery, correction, true_up), what it refers to (runs,
entries) and what it is worth (a negative correction is worth its amount but pays 0 now: it
is recovered from later earnings). The new columns come last, so that readers of the earlier
columns are unchanged. Text cells go through ``csv_cells`` (no formula injection);
in the workbook, amounts are numbers in a currency format and texts are written as strings,
never as formulas.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

import xlsxwriter

from kamscore.exports.csv_cells import Cell, CsvWriter
from kamscore.texts import _, _l, pgettext

#: The columns, in English (a file made outside a request, by the CLI or the API, has these).
HEADER = ("Period", "Run", "Ruleset", "Ruleset version", "Input hash", "KAM code", "KAM name",
          "Payout", "Currency", "Signed off by", "Signed off at (UTC)", "Kind", "Refers to",
          "Amount", "Note")
#: The same columns marked for translation: a file downloaded from a page has its reader's
#: language in its header and sheet names; the cells (codes, amounts, kinds) are the same.
_HEADER = (_l("Period"), _l("Run"), _l("Ruleset"), _l("Ruleset version"), _l("Input hash"),
           _l("KAM code"), _l("KAM name"), _l("Payout"), _l("Currency"), _l("Signed off by"),
           _l("Signed off at (UTC)"), _l("Kind"), _l("Refers to"), _l("Amount"), _l("Note"))


def header() -> tuple[str, ...]:
    """The header row in the reader's language (English outside a request)."""
    return tuple(str(text) for text in _HEADER)


@dataclass(frozen=True)
class PayrollRow:
    kam_code: str
    kam_name: str
    payout: Decimal  # two decimals: what this line adds to the payroll
    kind: str = "earnings"  # earnings, adjustment, spiff, clawback, draw, recovery, ...
    refers_to: str = ""  # the run, runs or entry the line settles
    amount: Decimal | None = None  # what the line is worth (a negative difference: owed)
    note: str = ""  # a hold taken out, or the held period and run a release comes from


@dataclass(frozen=True)
class PayrollSheet:
    period: str
    run_id: int
    ruleset: str
    ruleset_version: int
    input_hash: str
    currency: str
    signed_off_by: str
    signed_off_at: dt.datetime  # aware, UTC
    rows: list[PayrollRow]

    @property
    def total(self) -> Decimal:
        return sum((row.payout for row in self.rows), Decimal("0.00"))

    @property
    def filename(self) -> str:
        return f"payroll-{self.period}-run-{self.run_id}"


def _cells(sheet: PayrollSheet, row: PayrollRow) -> list[Cell]:
    return [sheet.period, sheet.run_id, sheet.ruleset, sheet.ruleset_version, sheet.input_hash,
            row.kam_code, row.kam_name, row.payout, sheet.currency, sheet.signed_off_by,
            sheet.signed_off_at.strftime("%Y-%m-%d %H:%M:%S"), row.kind, row.refers_to,
            row.payout if row.amount is None else row.amount, row.note]


def write_payroll_csv(sheet: PayrollSheet, stream: IO[str]) -> int:
    """The payroll as CSV (a header, then one row per KAM); returns the row count."""
    writer = CsvWriter(stream)
    writer.writerow(header())
    for row in sheet.rows:
        writer.writerow(_cells(sheet, row))
    return len(sheet.rows)


def payroll_xlsx(sheet: PayrollSheet) -> bytes:
    """The payroll as an XLSX workbook: sheet "Payroll" (header, one row per KAM, frozen
    header row, filters) and sheet "Sign-off" (the run and who signed it off); the header
    and sheet names in the reader's language."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    amount = book.add_format({"num_format": "#,##0.00"})
    ws = book.add_worksheet(_("Payroll")[:31])
    ws.write_row(0, 0, header(), bold)
    for r, row in enumerate(sheet.rows, start=1):
        cells = _cells(sheet, row)
        for c, value in enumerate(cells):
            if isinstance(value, Decimal):
                ws.write_number(r, c, float(value), amount)
            elif isinstance(value, int):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(sheet.rows), 1), len(_HEADER) - 1)
    for c, width in enumerate((10, 6, 14, 8, 66, 10, 28, 14, 9, 16, 20, 12, 30, 14, 40)):
        ws.set_column(c, c, width)
    info = book.add_worksheet(_("Sign-off")[:31])
    facts = [(_("Period"), sheet.period), (_("Run"), sheet.run_id),
             (_("Ruleset"), sheet.ruleset), (_("Ruleset version"), sheet.ruleset_version),
             (_("Input hash"), sheet.input_hash),
             (pgettext("payroll sign-off sheet", "KAMs"), len(sheet.rows)),
             (_("Total payout"), sheet.total), (_("Currency"), sheet.currency),
             (_("Signed off by"), sheet.signed_off_by),
             (_("Signed off at (UTC)"), sheet.signed_off_at.strftime("%Y-%m-%d %H:%M:%S"))]
    for r, (label, value) in enumerate(facts):
        info.write_string(r, 0, label, bold)
        if isinstance(value, Decimal):
            info.write_number(r, 1, float(value), amount)
        elif isinstance(value, int):
            info.write_number(r, 1, value)
        else:
            info.write_string(r, 1, str(value))
    info.set_column(0, 0, 20)
    info.set_column(1, 1, 66)
    book.close()
    return buffer.getvalue()
