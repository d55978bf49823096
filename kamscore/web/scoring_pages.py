"""Pages for pay: what-if, and rulesets with comments (score runs, statements, close and
payroll are in ``run_pages``).

- ``/scoring/whatif`` — a comp analyst changes weights or pastes YAML and sees the effect;
- ``/scoring/rulesets`` and ``/scoring/rulesets/<name>/<version>`` — versions, their change
  from the previous version in plan terms, and comments (KAMs comment on drafts).

Views declare who may open them (``kamscore.auth.access``), parse the request, call one
scoring service with the caller's scope and render.
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
    request,
    url_for,
)
from flask.views import MethodView
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.models import Period, RulesetStatus
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle
from kamscore.scoring.errors import InvalidInputError, ScoringError
from kamscore.scoring.inputs_cache import app_inputs_cache
from kamscore.scoring.whatif import what_if
from kamscore.web.nav import add_nav_item
from kamscore.web.scoring_forms import CommentForm, WhatIfForm

bp = Blueprint("scoring_pages", __name__, url_prefix="/scoring", template_folder="templates",
               static_folder="static/scoring", static_url_path="/static/scoring")


def init_app(app: Flask) -> None:
    add_nav_item(app, "scoring_pages.whatif", "What-if")
    add_nav_item(app, "scoring_pages.rulesets", "Rulesets",
                 also=("scoring_pages.ruleset",))


def _not_found(exc: ScoringError) -> None:
    """The page's answer to a refused read: 404, 403 or 400 (the error's own status)."""
    abort(exc.status if exc.status in (403, 404) else 400, description=exc.message)


# -- what-if -------------------------------------------------------------------------------------


def _whatif_choices(form: WhatIfForm) -> list[Any]:
    session = get_session()
    periods = session.scalars(select(Period).order_by(Period.start_date.desc(),
                                                      Period.kind)).all()
    form.period.choices = [SelectChoice(p.code, f"{p.code} ({p.status.value})")
                           for p in periods]
    published = [v for v in lifecycle.list_versions(session)
                 if v.status is RulesetStatus.PUBLISHED]
    form.baseline.choices = [SelectChoice(v.name, f"{v.label}: {v.title or v.name}")
                             for v in published]
    return published


@bp.route("/whatif", methods=["GET", "POST"])
@requires("whatif.use")
def whatif() -> str:
    form = WhatIfForm()
    published = _whatif_choices(form)
    if not published:
        return render_template("scoring/whatif.html", whatif_form=form, report=None,
                               components=[], errors=[], empty=True)
    name = form.baseline.data or published[0].name
    baseline = next((v for v in published if v.name == name), published[0])
    parsed = lifecycle.parse_version(baseline, get_plugin_manager())
    components = [{"id": c.id, "title": c.title, "weight": round(c.scoring.weight * 100, 4)}
                  for c in parsed.components]
    if request.method == "GET":
        form.source.data = baseline.source
    report, errors = None, []
    if form.validate_on_submit():
        weights = None
        if form.mode.data == "weights":
            weights = {c["id"]: request.form.get(f"weight-{c['id']}", "").strip()
                       for c in components}
            components = [{**c, "weight": weights[c["id"]]} for c in components]
        try:
            report = what_if(
                get_session(), get_plugin_manager(), app_inputs_cache(current_app),
                period=form.period.data,
                baseline_ref=baseline.name,
                draft_source=form.source.data if form.mode.data == "yaml" else None,
                weights=weights, filename="pasted.yaml", top=10)
        except InvalidInputError as exc:
            errors = exc.problems or [exc.message]
        except ScoringError as exc:
            errors = [exc.message]
    elif request.method == "POST":
        errors = [f"{field}: {', '.join(messages)}" for field, messages in form.errors.items()]
    return render_template("scoring/whatif.html", whatif_form=form, report=report,
                           components=components, errors=errors, empty=False,
                           currency=current_app.config.get("CURRENCY"))


# -- rulesets ------------------------------------------------------------------------------------


@bp.get("/rulesets")
@requires("rulesets.read")
def rulesets() -> str:
    return render_template("scoring/rulesets.html",
                           versions=lifecycle.list_versions(get_session()))


class RulesetPage(MethodView):
    """A ruleset version (``rulesets.read``), and a comment on it (``rulesets.comment``): one
    URL, a policy per method."""

    @requires("rulesets.read")
    def get(self, name: str, version: int) -> tuple[str, int]:
        return _ruleset_page(name, version, CommentForm())

    @requires("rulesets.comment")
    def post(self, name: str, version: int) -> tuple[str, int] | Response:
        form = CommentForm()
        if form.validate_on_submit():
            user = current_user_of_request()
            try:
                lifecycle.add_comment(get_session(), name, version, author=user.username,
                                      body=form.body.data,
                                      key_path=form.key_path.data or None,
                                      person_id=user.person_id)
            except ScoringError as exc:
                flash(exc.message, "error")
            else:
                flash("Thank you: your comment is recorded.", "success")
                return redirect(url_for(".ruleset", name=name, version=version) + "#comments")
        return _ruleset_page(name, version, form)


bp.add_url_rule("/rulesets/<name>/<int:version>", view_func=RulesetPage.as_view("ruleset"))


def _ruleset_page(name: str, version: int, form: CommentForm) -> tuple[str, int]:
    session = get_session()
    try:
        found = lifecycle.get_version(session, name, version)
    except ScoringError as exc:
        _not_found(exc)
    changes = None
    if found.parent is not None:
        pm = get_plugin_manager()
        changes = lifecycle.diff_versions(pm, found.parent, found)
    open_for_comments = found.status in (RulesetStatus.DRAFT, RulesetStatus.APPROVED)
    html = render_template("scoring/ruleset.html", v=found, changes=changes, comment_form=form,
                           open_for_comments=open_for_comments)
    return html, 400 if form.errors else 200
