"""A background job as ``GET /api/v1/jobs/<id>`` (and a 202 from an import) shows it."""

from __future__ import annotations

from marshmallow import Schema, fields

from kamscore.api.schemas.imports import ImportReportSchema


class JobImportSchema(Schema):
    kind = fields.String()
    filename = fields.String()
    dry_run = fields.Boolean()
    bytes = fields.Integer(metadata={"description": "The uploaded file's size."})
    sheet = fields.String(metadata={"description": "The workbook's sheet, if one was named."})
    decimal = fields.String(metadata={"description": "The decimal mark, if one was given."})
    date_format = fields.String(metadata={"description": "The date format, if one was given."})
    expected_sha256 = fields.String(
        metadata={"description": "The file's SHA-256 the import was told to expect."})


class JobProgressSchema(Schema):
    rows_done = fields.Integer(
        metadata={"description": "Work done, in rows (a row counts half when validated and "
                  "fully when written; a dry run only validates)."})
    rows_total = fields.Integer(
        allow_none=True,
        metadata={"description": "Rows in the file: estimated from its lines while it runs."})
    rows_per_second = fields.Float(allow_none=True)
    seconds_left = fields.Float(allow_none=True)


class JobErrorSchema(Schema):
    code = fields.Integer(metadata={"description": "What a synchronous request answers: "
                                    "422 for a refused file."})
    status = fields.String()
    message = fields.String()
    errors = fields.Dict(metadata={"description": 'A refused file: {"<line>": {"<column>": '
                                   "[reasons]}}, as the import's 422."})


class JobSchema(Schema):
    id = fields.String()
    task = fields.String(metadata={"description": "What the job does: import."})
    state = fields.String(metadata={"description": "queued, running, done or failed."})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    user = fields.String(metadata={"description": "Who started it."})
    params = fields.Nested(JobImportSchema, data_key="import")
    progress = fields.Nested(JobProgressSchema, allow_none=True,
                             metadata={"description": "Null while queued and after a failure."})
    result = fields.Nested(ImportReportSchema, allow_none=True,
                           metadata={"description": "When done: the synchronous import's "
                                     "report."})
    error = fields.Nested(JobErrorSchema, allow_none=True,
                          metadata={"description": "When failed: why; nothing was written."})
