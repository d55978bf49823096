"""Plan acknowledgment and payment holds in the browser.

- A KAM (``plans.acknowledge``) reads each plan document that applies to him and acknowledges
  it with his password: ``/plans/mine`` and ``/plans/mine/<version>/<period>`` (a printable
  page: the print stylesheet of the run pages).
- Managers and the comp team (``acknowledgments.read``) see who has acknowledged and who has
  not, ``/plans/acknowledgments``, and e-mail a reminder (``acknowledgments.remind``); the
  acknowledged document downloads exactly as shown, ``/plans/acknowledged/<id>.txt``.
- The comp team places and releases payment holds (``holds.read``, ``holds.manage``):
  ``/holds/``.

Views parse the form, call one service (``kamscore.scoring.acknowledgments`` or
``kamscore.scoring.holds``) and redirect with what happened.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kamscore.auth.access import (
    current_scope,
    current_user_of_request,
    optional_scope,
    requires,
)
from kamscore.background.plan_reminders import TASK as PLAN_REMINDERS
from kamscore.background.queue import get_queue
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import acknowledgments, holds
from kamscore.scoring.errors import ScoringError
from kamscore.web.nav import add_nav_item
from kamscore.web.plan_forms import AcknowledgeForm, ButtonForm, HoldForm, ReleaseForm

bp = Blueprint("plan_pages", __name__, template_folder="templates",
               static_folder="static/plans", static_url_path="/plans/static")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "plan_pages.mine", "My plan", also=("plan_pages.document",))
    add_nav_item(app, "plan_pages.status", "Acknowledgments")
    add_nav_item(app, "plan_pages.hold_list", "Holds")


def _refused(exc: ScoringError) -> Any:
    abort(exc.status, description=exc.message)


@bp.get("/plans/mine")
@requires("plans.acknowledge")
def mine() -> str:
    found = acknowledgments.my_plans(get_session(), get_plugin_manager(),
                                     current_user_of_request())
    return render_template("plans/mine.html", plans=found)


def _document_page(version_id: int, period: str, form: AcknowledgeForm, status: int = 200
                   ) -> tuple[str, int]:
    session = get_session()
    try:
        plan, document, ack = acknowledgments.document_for(
            session, get_plugin_manager(), current_user_of_request(), version_id, period)
    except ScoringError as exc:
        _refused(exc)
    if not form.document_hash.data or status == 200:
        form.document_hash.data = document.hash
    return render_template("plans/document.html", plan=plan, document=document, ack=ack,
                           form=form), status


@bp.get("/plans/mine/<int:version_id>/<period>")
@requires("plans.acknowledge")
def document(version_id: int, period: str) -> tuple[str, int]:
    return _document_page(version_id, period, AcknowledgeForm(formdata=None))


@bp.post("/plans/mine/<int:version_id>/<period>")
@requires("plans.acknowledge")
def acknowledge(version_id: int, period: str) -> Any:
    form = AcknowledgeForm()
    if not form.validate():
        return _document_page(version_id, period, form, 400)
    try:
        acknowledgments.acknowledge(get_session(), get_plugin_manager(),
                                    current_user_of_request(), version_id, period,
                                    shown_hash=form.document_hash.data or "",
                                    password=form.password.data or "")
    except ScoringError as exc:
        get_session().rollback()
        if exc.status == 404:
            _refused(exc)
        target = form.document_hash if exc.field == "document_hash" else form.password
        if exc.field not in ("document_hash", "password"):
            target = form.submit
        target.errors = [exc.message]
        form.document_hash.data = ""  # show the document as it reads now, with its hash
        return _document_page(version_id, period, form, exc.status)
    flash(_("Your plan is acknowledged. You can download the document you acknowledged."),
          "success")
    return redirect(url_for(".document", version_id=version_id, period=period), code=303)


@bp.get("/plans/acknowledgments")
@requires("acknowledgments.read")
def status() -> str:
    found = acknowledgments.status(get_session(), get_plugin_manager(), current_scope())
    return render_template("plans/status.html", plans=found, button=ButtonForm(formdata=None),
                           can_remind=optional_scope("acknowledgments.remind") is not None)


@bp.post("/plans/acknowledgments/<int:version_id>/<period>/remind")
@requires("acknowledgments.remind")
def remind(version_id: int, period: str) -> Response:
    if not ButtonForm().validate():
        abort(400, description=_("the form expired: reload the page"))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    scope = current_scope()
    get_session().commit()  # end this request's transaction: the task opens its own
    get_queue().enqueue(PLAN_REMINDERS, version_id, period, current_user_of_request().username,
                        scope.everything, sorted(scope.person_ids),
                        f"{base}{url_for('.mine')}")
    flash(_("Reminders are being sent to those who have not acknowledged (the audit log "
            "records how many)."), "success")
    return redirect(url_for(".status"), code=303)


@bp.get("/plans/acknowledged/<int:ack_id>.txt")
@requires("acknowledgments.read")
def download(ack_id: int) -> Response:
    try:
        found = acknowledgments.stored(get_session(), ack_id, current_scope())
    except ScoringError as exc:
        _refused(exc)
    name = f"plan-acknowledged-{found.id}.txt"
    return Response(found.document.encode("utf-8"), mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Document-SHA256": found.document_hash})


# -- payment holds ------------------------------------------------------------------------


def _holds_page(form: HoldForm, status: int = 200) -> tuple[str, int]:
    session = get_session()
    return render_template("holds/list.html", holds=holds.list_holds(session, current_scope()),
                           runs=holds.holdable_runs(session), form=form,
                           release=ReleaseForm(formdata=None),
                           limit=current_app.config["HOLD_RELEASE_FOUR_EYES_ABOVE"],
                           can_manage=optional_scope("holds.manage") is not None), status


@bp.get("/holds/")
@requires("holds.read")
def hold_list() -> tuple[str, int]:
    return _holds_page(HoldForm(formdata=None))


@bp.post("/holds/")
@requires("holds.manage")
def place() -> Any:
    form = HoldForm()
    if not form.validate():
        return _holds_page(form, 400)
    try:
        hold = holds.place_hold(get_session(), form.run.data or 0, form.kam.data or "",
                                reason=form.reason.data or "", line=form.line.data or None,
                                note=form.note.data or None, user=current_user_of_request())
    except ScoringError as exc:
        get_session().rollback()
        field = form.run if exc.field == "run" else getattr(form, exc.field or "", None)
        if field is None or not hasattr(field, "errors"):
            field = form.kam
        field.errors = [exc.message]
        return _holds_page(form, 404 if exc.status == 404 else exc.status)
    if hold.line is None:
        flash(_("Hold %(id)s placed: %(kam)s, whole payout.", id=hold.id, kam=hold.kam_code),
              "success")
    else:
        flash(_("Hold %(id)s placed: %(kam)s, %(line)s.", id=hold.id, kam=hold.kam_code,
                line=hold.line_title.lower()), "success")
    return redirect(url_for(".hold_list"), code=303)


@bp.post("/holds/<int:hold_id>/release")
@requires("holds.manage")
def release(hold_id: int) -> Any:
    form = ReleaseForm()
    if not form.validate():
        abort(400, description=_("the note is too long (1000 characters at most)"))
    try:
        hold = holds.release_hold(get_session(), hold_id, user=current_user_of_request(),
                                  settings=current_app.config, note=form.note.data or None)
    except ScoringError as exc:
        get_session().rollback()
        flash(_("Hold %(id)s not released: %(reason)s", id=hold_id, reason=exc.message), "error")
        return _holds_page(HoldForm(formdata=None), exc.status)
    assert hold.paid_in_period is not None
    flash(_("Hold %(id)s released: paid in the payroll of %(period)s.", id=hold.id,
            period=hold.paid_in_period.code), "success")
    return redirect(url_for(".hold_list"), code=303)
