"""An empty file for each kind, as CSV and as XLSX: the header row and one example row (the
first row of the files in ``examples/import/``, which import cleanly in order)."""

from __future__ import annotations

import csv
import io

from kamscore.importing.kinds import IMPORTERS

EXAMPLES: dict[str, dict[str, str]] = {
    "periods": {"code": "2026-Q1"},
    "products": {"code": "ONC-101", "name": "Tumorex", "therapeutic_area": "oncology"},
    "product_phases": {"product": "ONC-101", "period": "2026-Q1", "phase": "launch"},
    "people": {"code": "E1001", "name": "Helena Brandt", "email": "helena.brandt@example.com",
               "role": "manager", "grade": "M2", "base_salary": "118000", "currency": "EUR",
               "start_date": "2021-04-01"},
    "teams": {"team": "T-NORTH", "name": "Team North", "lead": "E1002", "member": "E1002",
              "function": "kam"},
    "accounts": {"code": "A001", "name": "St. Anna University Hospital", "type": "hospital",
                 "segment": "strategic", "region": "North", "team": "T-NORTH"},
    "assignments": {"person": "E1002", "account": "A001", "start_date": "2026-01-01",
                    "share": "1"},
    "stakeholders": {"account": "A001", "email": "m.keller@st-anna.example.org",
                     "name": "Prof. Martin Keller", "role": "physician", "influence": "5",
                     "partnership_level": "4", "is_key": "yes", "language": "de",
                     "chosen_by": "organisation"},
    "facts": {"period": "2026-Q1", "name": "net_sales", "account": "A001",
              "product": "ONC-101", "value": "412000", "unit": "EUR", "source": "ERP"},
    "plans": {"account": "A001", "period": "2026-Q1", "owner": "E1002", "quality_rating": "4",
              "rated_by": "E1001", "item": "objective", "code": "O1",
              "description": "Tumorex listed on the hospital formulary", "target": "1",
              "actual": "1", "met": "yes"},
}

FORMATS = ("csv", "xlsx")


def template_columns(kind: str) -> list[str]:
    return list(IMPORTERS[kind].schema().fields)


def template(kind: str, file_format: str) -> bytes:
    """The template of ``kind`` as ``csv`` or ``xlsx`` bytes."""
    columns = template_columns(kind)
    example = [EXAMPLES[kind].get(column, "") for column in columns]
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerow(example)
        return out.getvalue().encode("utf-8")
    if file_format != "xlsx":
        raise ValueError(f"a template is csv or xlsx, not {file_format!r}")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    sheet.append(columns)
    sheet.append([_typed(value) for value in example])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _typed(value: str) -> object:
    """Numbers as number cells, as people type them into a sheet."""
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value or None
