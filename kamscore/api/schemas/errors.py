"""The error shape every /api error has (documentation: ``kamscore.api.errors`` writes it)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """``{code, status, message, errors}``; all four are always there."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    status = fields.String(required=True, metadata={
        "description": "The HTTP status name, e.g. Unprocessable Entity."})
    message = fields.String(required=True, metadata={"description": "What went wrong."})
    errors = fields.Dict(required=True, metadata={
        "description": "What to fix, by field: {field: [reasons]}; invalid input is grouped "
                       "by where it was sent ({query: {page_size: [...]}}, json, files), a "
                       "refused import by line and column ({\"3\": {name: [...]}}); {} when "
                       "no field is at fault."})
