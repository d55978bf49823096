"""The pay ledger in the browser, for the comp team.

- ``GET /pay/adjustments`` — adjustments, SPIFFs and clawbacks: the form to enter one
  (``ledger.enter``), those waiting for approval with an Approve button (``ledger.approve``:
  never one's own), and the latest ones (``ledger.read``);
- ``POST /pay/adjustments`` — enter one (``ledger.enter``);
- ``POST /pay/adjustments/<id>/approve`` — approve one (``ledger.approve``);
- ``GET /pay/draws`` — each KAM's draw terms and what he owes back, has repaid and still owes
  (``ledger.read``).

Each view parses the form, calls one service of ``kamscore.scoring.ledger``, commits and
redirects; every write is in the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kamscore.auth.access import current_user_of_request, requires
from kamscore.auth.roles import reaches
from kamscore.db.session import get_session
from kamscore.models import Period, Person, Role
from kamscore.scoring import ledger
from kamscore.scoring.errors import ScoringError
from kamscore.web.nav import add_nav_item
from kamscore.web.pay_forms import ApproveForm, EntryForm
from kamscore.web.stored_words import word

bp = Blueprint("pay_pages", __name__, url_prefix="/pay", template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "pay_pages.adjustments", "Pay ledger", also=("pay_pages.draws",))


def _may(permission: str) -> bool:
    user = current_user_of_request()
    return bool(reaches(user.role_names, permission, current_app.config))


def _entry_form() -> EntryForm:
    session = get_session()
    form = EntryForm()
    form.kam.choices = [SelectChoice(code, f"{name} ({code})") for code, name in session.execute(
        select(Person.code, Person.name).where(Person.role == Role.KAM).order_by(Person.name))]
    form.period.choices = [SelectChoice(code, code) for (code,) in session.execute(
        select(Period.code).order_by(Period.start_date.desc(), Period.code))]
    return form


def _page(form: EntryForm, status: int = 200) -> tuple[str, int]:
    session = get_session()
    return render_template(
        "pay/adjustments.html", form=form, approve_form=ApproveForm(),
        pending=ledger.list_entries(session, pending_only=True),
        entries=ledger.list_entries(session, limit=50), may_enter=_may("ledger.enter"),
        may_approve=_may("ledger.approve"), me=current_user_of_request().username), status


@bp.get("/adjustments")
@requires("ledger.read")
def adjustments() -> tuple[str, int]:
    return _page(_entry_form())


@bp.post("/adjustments")
@requires("ledger.enter")
def enter() -> Response | tuple[str, int]:
    form = _entry_form()
    if not form.validate_on_submit():
        return _page(form, 400)
    session = get_session()
    try:
        entry = ledger.enter_entry(
            session, user=current_user_of_request(), kam_code=form.kam.data,
            period_code=form.period.data, kind=form.kind.data, amount=form.amount.data,
            reason=form.reason.data, run_id=form.run.data,
            currency=current_app.config.get("CURRENCY", "EUR"))
    except ScoringError as exc:
        session.rollback()
        field = getattr(form, exc.field or "", None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, exc.message]
        else:
            flash(exc.message, "error")
        return _page(form, exc.status if exc.status != 404 else 400)
    flash(_("Entry %(id)s (%(kind)s for %(kam)s) waits for another person's approval.",
            id=entry.id, kind=word(entry.kind, "pay"), kam=entry.kam_code), "success")
    return redirect(url_for(".adjustments"), code=303)


@bp.post("/adjustments/<int:entry_id>/approve")
@requires("ledger.approve")
def approve(entry_id: int) -> Response:
    if not ApproveForm().validate_on_submit():
        abort(400, description=_("the form is incomplete or has expired; reload the page"))
    session = get_session()
    try:
        entry = ledger.approve_entry(session, entry_id, user=current_user_of_request())
    except ScoringError as exc:
        session.rollback()
        if exc.status == 404:
            abort(404, description=exc.message)
        flash(exc.message, "error")
        return redirect(url_for(".adjustments"), code=303)
    flash(_("Entry %(id)s is approved: it is paid in the payroll of its period.", id=entry.id),
          "success")
    return redirect(url_for(".adjustments"), code=303)


@bp.get("/draws")
@requires("ledger.read")
def draws() -> str:
    return render_template("pay/draws.html", rows=ledger.balances(get_session()),
                           currency=current_app.config.get("CURRENCY", "EUR"))
