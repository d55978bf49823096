"""The import page: an analyst checks a file (a dry run), reads the report, then imports it.

- ``/imports/`` — choose the kind, upload a CSV or XLSX file (sheet, decimal mark, date
  format); the templates of every kind; the user's latest imports;
- ``/imports/jobs/<id>`` — a check or an import: its progress while it runs (refreshed by
  ``imports.js`` from ``GET /api/v1/jobs/<id>``, or by the page's own refresh without
  JavaScript), then its counts, or its first 100 errors by line;
- ``/imports/jobs/<id>/apply`` — import exactly the file a dry run checked (a file that
  changed since is refused);
- ``/imports/jobs/<id>/errors.csv`` — every error of a refused file;
- ``/imports/templates/<kind>.<csv|xlsx>`` — a kind's template.

Every check and import is a background job (``kamscore.background.import_start``): small
files run in the request, larger ones in ``kamscore worker``. Views parse, call one service
and render.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kamscore.auth.access import current_user_of_request, requires
from kamscore.background.import_start import NotApplicable, apply_checked, check_upload
from kamscore.background.imports import TASK
from kamscore.background.queue import job_progress
from kamscore.background.records import recent_jobs, visible_job
from kamscore.background.uploads import checked_path, uploads_dir
from kamscore.db.session import get_session
from kamscore.importing import describe_kinds
from kamscore.importing.templates import FORMATS, template
from kamscore.models import BackgroundJob, JobState
from kamscore.web.import_forms import ApplyForm, UploadForm
from kamscore.web.import_report import error_lines, errors_file, headline, layout_of
from kamscore.web.nav import add_nav_item
from kamscore.web.stored_words import word

bp = Blueprint("import_pages", __name__, url_prefix="/imports", template_folder="templates",
               static_folder="static/imports", static_url_path="/static/imports")

#: Errors shown on the page; the CSV download has them all.
SHOWN_ERRORS = 100
MIME = {"csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def init_app(app: Flask) -> None:
    add_nav_item(app, "import_pages.home", "Imports", also=("import_pages.job",))


@bp.route("/", methods=["GET", "POST"])
@requires("imports.write")
def home() -> str | Response | tuple[str, int]:
    kinds = describe_kinds()
    form = UploadForm()
    form.kind.choices = [SelectChoice(kind, word(kind, "import_kind")) for kind in kinds]
    if form.validate_on_submit():
        upload = form.file.data
        filename = secure_filename(upload.filename or "") or "upload.csv"
        job = check_upload(current_app._get_current_object(),  # type: ignore[attr-defined]
                           get_session(), current_user_of_request(), form.kind.data,
                           upload.stream, filename, form.options())
        return redirect(url_for(".job", job_id=job.id), code=303)
    jobs = recent_jobs(get_session(), current_user_of_request(), TASK)
    return render_template("imports/home.html", form=form, kinds=kinds, formats=FORMATS,
                           jobs=jobs), 400 if form.errors else 200


def _job_or_404(job_id: str) -> BackgroundJob:
    job = visible_job(get_session(), job_id, current_user_of_request())
    if job is None or job.task != TASK:
        abort(404, description=_("no import %(job)s", job=job_id))
    return job


@bp.get("/jobs/<job_id>")
@requires("imports.write")
def job(job_id: str) -> str:
    found = _job_or_404(job_id)
    errors = error_lines(found)
    applicable = (found.state is JobState.DONE and bool(found.params.get("dry_run"))
                  and checked_path(uploads_dir(current_app.config, current_app.instance_path),
                                   found.id).exists())
    return render_template("imports/job.html", job=found, params=found.params,
                           progress=job_progress(found), errors=errors[:SHOWN_ERRORS],
                           error_count=len(errors), applicable=applicable,
                           headline=headline(found),
                           layout=layout_of(found),
                           form=ApplyForm())


@bp.post("/jobs/<job_id>/apply")
@requires("imports.write")
def apply(job_id: str) -> Response:
    checked = _job_or_404(job_id)
    if not ApplyForm().validate_on_submit():
        abort(400, description=_("The form expired: open the report again and import it."))
    try:
        applied = apply_checked(current_app._get_current_object(),  # type: ignore[attr-defined]
                                get_session(), current_user_of_request(), checked)
    except NotApplicable as exc:
        flash(str(exc), "error")
        return redirect(url_for(".job", job_id=checked.id), code=303)
    return redirect(url_for(".job", job_id=applied.id), code=303)


@bp.get("/jobs/<job_id>/errors.csv")
@requires("imports.write")
def errors(job_id: str) -> Response:
    found = _job_or_404(job_id)
    if not error_lines(found):
        abort(404, description=f"the import {job_id} has no errors")
    name = f"{found.params['filename'].rsplit('.', 1)[0]}-errors.csv"
    return Response(errors_file(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/templates/<kind>.<file_format>")
@requires("imports.write")
def template_file(kind: str, file_format: str) -> Response:
    if kind not in describe_kinds() or file_format not in FORMATS:
        abort(404, description=f"no template {kind}.{file_format}")
    return Response(template(kind, file_format), mimetype=MIME[file_format], headers={
        "Content-Disposition": f'attachment; filename="{kind}-template.{file_format}"'})


def job_title(params: dict[str, Any]) -> Markup:
    """How a job is named on the pages: what it does to which file (the file's name marked
    as a name, not translated)."""
    kind = word(str(params["kind"]), "import_kind")
    name = Markup('<span translate="no">%s</span>') % params["filename"]
    if params.get("dry_run"):
        return Markup(_("Check of %(file)s (%(kind)s)", file=name, kind=escape(kind)))
    return Markup(_("Import of %(file)s (%(kind)s)", file=name, kind=escape(kind)))


def job_page_title(params: dict[str, Any]) -> str:
    """The browser tab's title of a job's page (plain text: no file name, which the page's
    heading gives)."""
    kind = word(str(params["kind"]), "import_kind")
    if params.get("dry_run"):
        return _("File check (%(kind)s)", kind=kind)
    return _("File import (%(kind)s)", kind=kind)


bp.add_app_template_global(job_title, "import_job_title")
bp.add_app_template_global(job_page_title, "import_job_page_title")
