"""Opening an uploaded file by what it is, not by what its name says: an XLSX workbook or a
CSV text file. A file whose name claims one and whose content is the other is refused with
one clear message, as are the old binary Excel format and an empty file.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import BinaryIO

from kamscore.importing.csvfile import read_csv
from kamscore.importing.errors import ErrorList
from kamscore.importing.table import EMPTY_FILE, RawTable
from kamscore.importing.xlsxfile import read_xlsx
from kamscore.sentences import N_

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls) and other old Office files
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def file_sha256(stream: BinaryIO) -> str:
    """The SHA-256 of the whole stream, read in blocks; the stream is left at its start."""
    stream.seek(0)
    digest = hashlib.sha256()
    while block := stream.read(1024 * 1024):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def is_workbook(stream: BinaryIO) -> bool:
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    return head == ZIP_MAGIC


def open_table(stream: BinaryIO, filename: str, sheet: str | None,
               errors: ErrorList) -> RawTable | None:
    """The file's rows through the reader its content needs; None with one reason when the
    file is not what it claims or cannot be read."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    suffix = PurePath(filename).suffix.lower()
    if not head:
        errors.add(1, "", EMPTY_FILE)
        return None
    if head.startswith(OLE_MAGIC):
        errors.add(1, "", N_("this is an old Excel 97-2003 workbook (.xls) or another binary "
                             "Office file: save it as .xlsx (Excel Workbook) or as CSV UTF-8"))
        return None
    workbook = head.startswith(ZIP_MAGIC)
    if workbook and suffix == ".csv":
        errors.add(1, "", N_("%(file)s is named .csv but is an XLSX workbook: name it .xlsx, "
                             "or save it from Excel as CSV UTF-8", file=filename))
        return None
    if not workbook and suffix in WORKBOOK_SUFFIXES:
        errors.add(1, "", N_("%(file)s is named %(suffix)s but is not an Excel workbook (it "
                             "looks like text): if it is CSV, name it .csv", file=filename,
                             suffix=suffix))
        return None
    if workbook:
        return read_xlsx(stream, sheet, errors)
    if sheet is not None:
        errors.add(1, "", N_("--sheet %(sheet)s names a sheet, but %(file)s is CSV, not a "
                             "workbook", sheet=sheet, file=filename))
        return None
    return read_csv(stream, errors)
