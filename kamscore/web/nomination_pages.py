"""360° rater nominations in the browser.

- A KAM (``nominations.propose``, his own) proposes the colleagues who rate him, per group,
  and withdraws a proposal not decided yet: ``/nominations/`` and ``/nominations/<code>``.
- A manager (``nominations.approve``, his teams' KAMs) approves or rejects each proposal,
  may move it to another group and add raters himself: ``/nominations/team/<code>``.

Views parse the form, call one service of ``kamscore.surveys.nominations`` (which applies the
caller's scope and records the audit event) and redirect with what happened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.surveys import nominations
from kamscore.surveys.errors import NotFound, SurveyError
from kamscore.web.nav import add_nav_item
from kamscore.web.nomination_forms import GROUP_CHOICES, ButtonForm, DecisionForm, RaterForm

bp = Blueprint("nomination_pages", __name__, url_prefix="/nominations",
               template_folder="templates")


def init_app(app: Flask) -> None:
    add_nav_item(app, "nomination_pages.mine", "My raters",
                 also=("nomination_pages.kam",))
    add_nav_item(app, "nomination_pages.team_index", "Approve raters",
                 also=("nomination_pages.team",))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _group_names() -> dict[str, str]:
    """Rater group code → its name in the page's language."""
    return {c.value: str(c.label) for c in GROUP_CHOICES}


def _actor() -> str:
    return current_user_of_request().username


def _own_kam() -> str | None:
    """The KAM the page is about: the user's own person (an admin names one: ``?kam=``)."""
    wanted = request.args.get("kam") or request.form.get("kam")
    person = current_user_of_request().person
    return wanted or (person.code if person is not None else None)


@bp.get("/")
@requires("nominations.propose")
def mine() -> str:
    return render_template("nominations/index.html", team=False,
                           campaigns=nominations.nomination_campaigns(get_session()))


@bp.get("/<code>")
@requires("nominations.propose")
def kam(code: str) -> str:
    kam_code = _own_kam()
    if kam_code is None:
        abort(404, description=_("Your user is not linked to a KAM."))
    try:
        found = nominations.kam_nominations(get_session(), code, kam_code, current_scope())
    except NotFound as exc:
        abort(404, description=exc.message)
    form = RaterForm(formdata=None, kam=kam_code).offer(found.candidates)
    return render_template("nominations/kam.html", n=found, form=form,
                           button=ButtonForm(formdata=None), group_names=_group_names())


def _redirect_kam(code: str) -> Response:
    kam_code = request.form.get("kam")
    own = current_user_of_request().person
    query = {"kam": kam_code} if kam_code and (own is None or own.code != kam_code) else {}
    return redirect(url_for(".kam", code=code, **query))


def _do(step: Any, done: str) -> bool:
    session = get_session()
    try:
        step(session)
        session.commit()
    except SurveyError as exc:
        session.rollback()
        flash(exc.message, "error")
        return False
    flash(done, "success")
    return True


@bp.post("/<code>/propose")
@requires("nominations.propose")
def propose(code: str) -> Response:
    form = RaterForm()
    if form.validate_on_submit():
        _do(lambda session: nominations.propose(
            session, code, form.kam.data, form.rater.data, form.group.data, current_scope(),
            _actor(), _now()), _("Proposed: your manager decides on it."))
    else:
        flash(_("Choose a colleague and his group."), "error")
    return _redirect_kam(code)


@bp.post("/<code>/<int:nomination_id>/withdraw")
@requires("nominations.propose")
def withdraw(code: str, nomination_id: int) -> Response:
    if ButtonForm().validate_on_submit():
        _do(lambda session: nominations.withdraw(session, code, nomination_id,
                                                 current_scope(), _actor()), _("Withdrawn."))
    return _redirect_kam(code)


# --- the manager --------------------------------------------------------------------------
@bp.get("/team/")
@requires("nominations.approve")
def team_index() -> str:
    return render_template("nominations/index.html", team=True,
                           campaigns=nominations.nomination_campaigns(get_session()))


@bp.get("/team/<code>")
@requires("nominations.approve")
def team(code: str) -> str:
    try:
        found = nominations.team_nominations(get_session(), code, current_scope())
    except NotFound as exc:
        abort(404, description=exc.message)
    adders = {k.kam.code: RaterForm(formdata=None, kam=k.kam.code, prefix=f"add-{k.kam.code}")
              .offer(k.candidates) for k in found}
    return render_template("nominations/team.html", code=code, kams=found, adders=adders,
                           button=ButtonForm(formdata=None),
                           groups=[(c.value, str(c.label)) for c in GROUP_CHOICES],
                           group_names=_group_names())


@bp.post("/team/<code>/<int:nomination_id>")
@requires("nominations.approve")
def decide(code: str, nomination_id: int) -> Response:
    form = DecisionForm()
    if form.validate_on_submit():
        done = _("Approved.") if form.decision.data == "approve" else _("Rejected.")
        _do(lambda session: nominations.decide(
            session, code, nomination_id, form.decision.data, current_scope(), _actor(),
            _now(), group=form.group.data), done)
    else:
        flash(_("Choose a group and a decision."), "error")
    return redirect(url_for(".team", code=code))


@bp.post("/team/<code>/kam/<kam_code>/approve-all")
@requires("nominations.approve")
def approve_all(code: str, kam_code: str) -> Response:
    if ButtonForm().validate_on_submit():
        _do(lambda session: nominations.approve_all(session, code, kam_code, current_scope(),
                                                    _actor(), _now()),
            _("Every proposal of %(kam)s approved.", kam=kam_code))
    return redirect(url_for(".team", code=code))


@bp.post("/team/<code>/kam/<kam_code>/add")
@requires("nominations.approve")
def add(code: str, kam_code: str) -> Response:
    form = RaterForm(prefix=f"add-{kam_code}")
    if form.validate_on_submit():
        _do(lambda session: nominations.add_approved(
            session, code, kam_code, form.rater.data, form.group.data, current_scope(),
            _actor(), _now()), _("Added and approved."))
    else:
        flash(_("Choose a colleague and his group."), "error")
    return redirect(url_for(".team", code=code))
