"""``POST /api/v1/imports/<kind>``: the CSV import, with the same rules as the CLI.

Multipart form with a ``file`` field; ``?dry_run=true`` validates only. A file with any bad row
is refused with 422 and every problem in ``errors`` as ``{"<line>": {"<column>": [reasons]}}``.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from werkzeug.utils import secure_filename

from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.errors import ErrorSchema
from kamscore.api.schemas.imports import ImportFiles, ImportOptions, ImportReportSchema
from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.importing import describe_kinds, import_csv

blp = resource_blueprint(
    "imports",
    "imports",
    "CSV imports, all or nothing (columns in docs/imports.md). Kinds, in import order: "
    + "; ".join(f"{kind}: {summary}" for kind, summary in describe_kinds().items()),
)


@blp.route("/<kind>")
class ImportResource(MethodView):
    decorators = [requires("imports.write")]

    @blp.arguments(ImportOptions, location="query")
    @blp.arguments(ImportFiles, location="files")
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(422, schema=ErrorSchema,
                      description="The file was refused; errors lists every bad row.")
    @blp.refusals(401, 403, 404, 413)
    def post(self, options: dict[str, Any], files: dict[str, Any], kind: str) -> Any:
        """Import a CSV file as ``kind``; needs the analyst (or admin) role."""
        upload = files["file"]
        session = get_session()
        report = import_csv(
            session,
            kind,
            upload.stream,
            filename=secure_filename(upload.filename or "") or "upload.csv",
            dry_run=options["dry_run"],
            actor=current_user_of_request().username,
        )
        session.commit()
        return report.as_dict()
