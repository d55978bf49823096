"""The import endpoint's form and report."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields


class ImportFiles(Schema):
    file = Upload(required=True, metadata={"description": "The CSV file (UTF-8, header row)."})


class ImportOptions(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Validate and report; write nothing."}
    )
    background = fields.Boolean(
        load_default=False,
        metadata={"description": "Import in a background job (202 and a job to follow), "
                  "whatever the file's size; files over IMPORT_INLINE_MAX_BYTES always are."},
    )


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
    tables = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    totals = fields.Nested(CountsSchema)
