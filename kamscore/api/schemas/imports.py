"""The import endpoint's form and report."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from kamscore.importing.cell_formats import DATE_FORMATS


class ImportFiles(Schema):
    file = Upload(required=True, metadata={
        "description": "The file: CSV (UTF-8, header row) or an XLSX workbook."})


class ImportOptions(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Validate and report; write nothing."}
    )
    background = fields.Boolean(
        load_default=False,
        metadata={"description": "Import in a background job (202 and a job to follow), "
                  "whatever the file's size; files over IMPORT_INLINE_MAX_BYTES always are."},
    )
    sheet = fields.String(
        load_default=None, validate=validate.Length(min=1, max=31),
        metadata={"description": "A workbook's sheet (default: the first)."})
    decimal = fields.String(
        load_default=None, validate=validate.OneOf([".", ","]),
        metadata={"description": "The decimal mark, when it is not the one the file's format "
                  "implies (a comma in a semicolon CSV, else a point)."})
    date_format = fields.String(
        load_default=None, validate=validate.OneOf(list(DATE_FORMATS)),
        metadata={"description": "How dates other than YYYY-MM-DD are written."})
    expected_sha256 = fields.String(
        load_default=None, validate=validate.Regexp("^[0-9a-f]{64}$"),
        metadata={"description": "The sha256 a dry run reported: the file is refused (422) "
                  "if it is not the file that was checked."})


class CountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    deleted = fields.Integer()


class ImportReportSchema(Schema):
    kind = fields.String()
    filename = fields.String()
    rows = fields.Integer()
    dry_run = fields.Boolean()
    sha256 = fields.String(metadata={"description": "The file's SHA-256: pass it as "
                                     "expected_sha256 to apply exactly the file checked."})
    tables = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    totals = fields.Nested(CountsSchema)
