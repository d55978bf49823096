"""Target rounds in the browser.

- The comp team (``targets.read``; writes ``targets.manage``, approval ``targets.approve``):
  ``/targets/rounds/`` lists rounds and creates one; ``/targets/rounds/<code>`` shows every
  line with the team and national totals, and imports, allocates, opens and approves.
- A KAM (``targets.propose``, his own): ``/targets/mine/`` and ``/targets/mine/<code>``, made
  for a phone: each target beside his last periods, and a proposal with a reason.
- A manager (``targets.decide``, his teams): ``/targets/team/<code>``: every proposal of his
  KAMs with its reason, the totals, and accept / adjust / reject on one page.

Views parse the form, call one service of ``kamscore.scoring.target_rounds`` or
``target_proposals`` (which apply the caller's scope and record the audit event) and
redirect; a refused step shows the page again with the service's message (it names the
field) and its 4xx status, nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kamscore.auth.access import (
    current_scope,
    current_user_of_request,
    optional_scope,
    requires,
)
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import target_proposals, target_rounds
from kamscore.scoring.errors import NotFoundError, ScoringError
from kamscore.scoring.target_rounds import Allocation
from kamscore.web.nav import add_nav_item
from kamscore.web.stored_words import word
from kamscore.web.target_forms import (
    AllocateForm,
    ButtonForm,
    DecideForm,
    ImportForm,
    OpenForm,
    ProposeForm,
    RoundForm,
)

bp = Blueprint("target_pages", __name__, url_prefix="/targets", template_folder="templates",
               static_folder="static/targets", static_url_path="/static/targets")


def init_app(app: Flask) -> None:
    add_nav_item(app, "target_pages.rounds", "Target rounds", also=("target_pages.round_page",))
    add_nav_item(app, "target_pages.mine", "My targets", also=("target_pages.kam",))
    add_nav_item(app, "target_pages.team_index", "Team targets", also=("target_pages.team",))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor() -> str:
    return current_user_of_request().username


Page = Callable[[], str]


def _step(step: Callable[[Any], Any], done: str, page: Page, target: str
          ) -> Response | tuple[str, int]:
    """Run one service step and commit; refused: the page again with the message, 4xx."""
    session = get_session()
    try:
        step(session)
        session.commit()
    except ScoringError as exc:
        session.rollback()
        flash(exc.message, "error")
        return page(), exc.status
    flash(done, "success")
    return redirect(target)


def _invalid(form: Any, page: Page) -> tuple[str, int]:
    for field, errors in form.errors.items():
        label = form[field].label.text if field in form else field
        flash(_("%(field)s: %(error)s", field=label, error=errors[0]), "error")
    return page(), 400


#: A manager's decision (the form's verb) as the state it leaves the line in.
DECIDED = {"accept": "accepted", "adjust": "adjusted", "reject": "rejected"}


# --- the comp team ------------------------------------------------------------------------
@bp.get("/rounds/")
@requires("targets.read")
def rounds(form: RoundForm | None = None) -> str:
    return render_template("targets/rounds.html", rounds=target_rounds.list_rounds(
        get_session()), form=form or RoundForm(formdata=None),
        can_manage=optional_scope("targets.manage") is not None)


@bp.post("/rounds/")
@requires("targets.manage")
def create() -> Response | tuple[str, int]:
    form = RoundForm()
    page = lambda: rounds(form)  # noqa: E731
    if not form.validate_on_submit():
        return _invalid(form, page)
    return _step(lambda s: target_rounds.create_round(
        s, code=form.code.data, title=form.title.data, period=form.period.data,
        facts=form.fact_units(), bound_pct=form.bound_pct.data, actor=_actor()),
        _("Round created: set its top-down targets."), page,
        url_for(".round_page", code=form.code.data))


def _round_page(code: str, **forms: Any) -> str:
    try:
        view = target_rounds.round_view(get_session(), code, current_scope())
    except NotFoundError as exc:
        abort(404, description=exc.message)
    target_round = view.round
    teams = sorted(set(view.teams.values()))
    allocate = forms.get("allocate") or AllocateForm(formdata=None)
    allocate.fact.choices = list(target_round.facts)
    allocate.team.choices = [SelectChoice("", _("National"))] + [
        SelectChoice(c, n) for c, n in _team_codes(view)]
    return render_template(
        "targets/round.html", view=view, teams=teams,
        import_form=forms.get("import_form") or ImportForm(formdata=None),
        allocate=allocate, open_form=forms.get("open_form") or OpenForm(formdata=None),
        button=ButtonForm(formdata=None), now=_now(),
        can_manage=optional_scope("targets.manage") is not None,
        can_approve=optional_scope("targets.approve") is not None,
        can_whatif=optional_scope("whatif.use") is not None)


def _team_codes(view: target_rounds.RoundView) -> list[tuple[str, str]]:
    found = target_rounds.kam_teams(get_session(), {line.kam_id for line in view.lines})
    return sorted({(t.code, t.name) for t in found.values()})


@bp.get("/rounds/<code>")
@requires("targets.read")
def round_page(code: str) -> str:
    return _round_page(code)


@bp.post("/rounds/<code>/import")
@requires("targets.manage")
def import_file(code: str) -> Response | tuple[str, int]:
    form = ImportForm()
    page = lambda: _round_page(code, import_form=form)  # noqa: E731
    upload = form.upload.data
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("upload: choose a CSV file"), "error")
        return page(), 400
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("upload: the file is not UTF-8 text"), "error")
        return page(), 400
    return _step(lambda s: target_rounds.import_top_down(s, code, text, upload.filename,
                                                         _actor()),
                 _("Top-down targets imported."), page, url_for(".round_page", code=code))


@bp.post("/rounds/<code>/allocate")
@requires("targets.manage")
def allocate(code: str) -> Response | tuple[str, int]:
    form = AllocateForm()
    page = lambda: _round_page(code, allocate=form)  # noqa: E731
    if not form.validate_on_submit():
        return _invalid(form, page)
    allocation = Allocation(form.fact.data, form.total.data, form.key.data,
                            form.key_fact.data.strip(), form.key_period.data.strip(),
                            team=form.team.data or None)
    pm = get_plugin_manager(current_app)
    return _step(lambda s: target_rounds.allocate_total(s, pm, code, allocation, _actor()),
                 _("Total allocated."), page, url_for(".round_page", code=code))


@bp.post("/rounds/<code>/open")
@requires("targets.manage")
def open_round(code: str) -> Response | tuple[str, int]:
    form = OpenForm()
    page = lambda: _round_page(code, open_form=form)  # noqa: E731
    if not form.validate_on_submit():
        return _invalid(form, page)
    deadline = form.deadline.data.replace(tzinfo=dt.UTC)
    return _step(lambda s: target_rounds.open_round(s, code, deadline, _actor(), _now()),
                 _("Round opened: the KAMs can propose until the deadline."), page,
                 url_for(".round_page", code=code))


@bp.post("/rounds/<code>/approve")
@requires("targets.approve")
def approve(code: str) -> Response | tuple[str, int]:
    if not ButtonForm().validate_on_submit():
        abort(400, description=_("The form expired; try again."))
    return _step(lambda s: target_rounds.approve_round(s, code, _actor(), _now()),
                 _("Round approved: its targets are facts now."), lambda: _round_page(code),
                 url_for(".round_page", code=code))


# --- the KAM ------------------------------------------------------------------------------
def _own_kam() -> str:
    """The KAM the page is about: the user's own person (an admin names one: ``?kam=``; the
    service refuses a KAM outside the caller's scope)."""
    wanted = request.args.get("kam")
    person = current_user_of_request().person
    if wanted:
        return wanted
    if person is None:
        abort(404, description=_("Your user is not linked to a KAM."))
    return person.code


@bp.get("/mine/")
@requires("targets.propose")
def mine() -> str:
    return render_template("targets/index.html", team=False, waiting={},
                           rounds=target_rounds.open_rounds(get_session()))


def _kam_page(code: str, failed: tuple[int, ProposeForm] | None = None) -> str:
    try:
        found = target_proposals.kam_targets(get_session(), get_plugin_manager(current_app),
                                             code, _own_kam(), current_scope(), _now())
    except NotFoundError as exc:
        abort(404, description=exc.message)
    forms = {line.id: ProposeForm(formdata=None, prefix=f"t{line.id}",
                                  value=f"{line.proposal_value:.2f}", reason=line.reason)
             for line in found.lines}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template("targets/kam.html", t=found, forms=forms)


@bp.get("/mine/<code>")
@requires("targets.propose")
def kam(code: str) -> str:
    return _kam_page(code)


@bp.post("/mine/<code>/<int:line_id>")
@requires("targets.propose")
def propose(code: str, line_id: int) -> Response | tuple[str, int]:
    form = ProposeForm(prefix=f"t{line_id}")
    page = lambda: _kam_page(code, (line_id, form))  # noqa: E731
    if not form.validate_on_submit():
        return _invalid(form, page)
    return _step(lambda s: target_proposals.propose(
        s, code, line_id, form.value.data, form.reason.data, current_scope(), _actor(),
        _now()), _("Proposed: your manager decides on it."), page,
        url_for(".kam", code=code))


# --- the manager --------------------------------------------------------------------------
@bp.get("/team/")
@requires("targets.decide")
def team_index() -> str:
    session = get_session()
    return render_template("targets/index.html", team=True,
                           waiting=target_proposals.waiting_decisions(session, current_scope()),
                           rounds=target_rounds.open_rounds(session))


def _team_page(code: str) -> str:
    try:
        view = target_rounds.round_view(get_session(), code, current_scope())
    except NotFoundError as exc:
        abort(404, description=exc.message)
    return render_template("targets/team.html", view=view, button=ButtonForm(formdata=None))


@bp.get("/team/<code>")
@requires("targets.decide")
def team(code: str) -> str:
    return _team_page(code)


@bp.post("/team/<code>/<int:line_id>")
@requires("targets.decide")
def decide(code: str, line_id: int) -> Response | tuple[str, int]:
    form = DecideForm()
    page = lambda: _team_page(code)  # noqa: E731
    if not form.validate_on_submit():
        return _invalid(form, page)
    decision = form.decision.data or ""
    done = _("Decision recorded: %(decision)s.",
             decision=word(DECIDED.get(decision, decision), "state"))
    return _step(lambda s: target_proposals.decide(
        s, code, line_id, decision, current_scope(), _actor(), _now(),
        value=form.value.data, reason=form.reason.data), done, page, url_for(".team", code=code))

