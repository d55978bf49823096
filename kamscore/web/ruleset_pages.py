"""The ruleset pages: every plan and its versions, a new draft written in the browser, a
version compared with another in plan terms, comments, approve and publish.

- ``/scoring/rulesets`` — every ruleset with its versions and who drafted, approved,
  published each and when; the signed-in analyst's work in progress;
- ``/scoring/rulesets/new`` — a new draft: upload a YAML file, start from a copy of any
  version (``?copy=NAME:VERSION``) or write in the editor, which the server checks as one
  types (``/scoring/rulesets/check``, JSON; the what-if page's YAML box uses it too);
  saved only if it validates, or kept as *work in progress*
  (``/scoring/rulesets/work-in-progress/<id>``, its author's alone);
- ``/scoring/rulesets/<name>/<version>`` — a version, its changes against the published
  version (or any other, ``?against=NAME:VERSION``), comments (KAMs comment on drafts);
- ``.../approve`` and ``.../publish`` — each asks for confirmation first; the services record
  both in the audit log, and refuse an approval by the drafter (four eyes).

Views declare who may open them (``kamscore.auth.access``), parse the request, call the
ruleset services (``kamscore.scoring.lifecycle``, ``kamscore.scoring.drafting``) and render.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.views import MethodView
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice

from kamscore.auth.access import current_user_of_request, optional_scope, requires
from kamscore.db.session import get_session
from kamscore.models import RulesetStatus, RulesetVersion, RulesetWorkInProgress
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import drafting, lifecycle
from kamscore.scoring.drafting import LineProblem
from kamscore.scoring.errors import InvalidInputError, ScoringError
from kamscore.scoring.group_labels import all_titles, version_titles
from kamscore.web.nav import add_nav_item
from kamscore.web.ruleset_forms import CommentForm, CompareForm, ConfirmForm, CopyForm, DraftForm
from kamscore.web.stored_words import word

bp = Blueprint("ruleset_pages", __name__, url_prefix="/scoring/rulesets",
               template_folder="templates", static_folder="static/rulesets",
               static_url_path="/static")


def init_app(app: Flask) -> None:
    add_nav_item(app, "ruleset_pages.rulesets", "Rulesets",
                 also=("ruleset_pages.ruleset", "ruleset_pages.new", "ruleset_pages.wip",
                       "ruleset_pages.approve", "ruleset_pages.publish"))


def _refuse(exc: ScoringError) -> None:
    abort(exc.status if exc.status in (403, 404) else 400, description=exc.message)


def _version(name: str, version: int) -> RulesetVersion:
    try:
        return lifecycle.get_version(get_session(), name, version)
    except ScoringError as exc:
        _refuse(exc)
        raise  # unreachable: abort raises


def _may(permission: str) -> bool:
    return optional_scope(permission) is not None


# -- the list -----------------------------------------------------------------------------------


@bp.get("")
@requires("rulesets.read")
def rulesets() -> str:
    session = get_session()
    can_draft = _may("rulesets.draft")
    wips = drafting.work_in_progress_of(session, current_user_of_request()) if can_draft else []
    found = drafting.overview(session)
    return render_template("rulesets/list.html", rulesets=found, wips=wips,
                           can_draft=can_draft, titles=all_titles(session, get_plugin_manager()))


# -- the editor ---------------------------------------------------------------------------------


def _version_choices() -> list[SelectChoice]:
    return [SelectChoice(f"{v.name}:{v.version}",
                         _("%(name)s v%(version)s (%(state)s)", name=v.name,
                           version=v.version, state=word(v.status, "state")))
            for v in reversed(lifecycle.list_versions(get_session()))]


def _copied_from() -> RulesetVersion | None:
    ref = request.args.get("copy", "").strip()
    if not ref:
        return None
    try:
        return lifecycle.resolve_ref(get_session(), ref)
    except ScoringError as exc:
        _refuse(exc)
        raise


@bp.route("/new", methods=["GET", "POST"])
@requires("rulesets.draft")
def new() -> Any:
    form = DraftForm()
    based_on = _copied_from()
    if request.method == "GET" and based_on is not None:
        form.source.data = based_on.source
        form.filename.data = based_on.filename
    if request.method == "POST":
        return _submit(form, None, based_on)
    return _editor(form, None, based_on)


@bp.route("/work-in-progress/<int:wip_id>", methods=["GET", "POST"])
@requires("rulesets.draft")
def wip(wip_id: int) -> Any:
    try:
        kept = drafting.get_work_in_progress(get_session(), wip_id,
                                             author=current_user_of_request())
    except ScoringError as exc:
        _refuse(exc)
    form = DraftForm()
    if request.method == "POST":
        return _submit(form, kept, kept.based_on)
    form.source.data, form.filename.data = kept.source, kept.filename
    return _editor(form, kept, kept.based_on)


def _editor(form: DraftForm, kept: RulesetWorkInProgress | None,
            based_on: RulesetVersion | None, problems: list[LineProblem] | None = None,
            status: int = 200) -> tuple[str, int]:
    copy_form = CopyForm(formdata=None)
    copy_form.copy.choices = _version_choices()
    if based_on is not None:
        copy_form.copy.data = f"{based_on.name}:{based_on.version}"
    html = render_template("rulesets/editor.html", form=form, copy_form=copy_form, kept=kept,
                           based_on=based_on, problems=problems or [])
    return html, status


def _read_source(form: DraftForm) -> tuple[str, str] | None:
    """The text to save (an uploaded file wins over the editor's) and its file name; None
    (with the field's error) for a file that is not UTF-8 text."""
    upload = form.upload.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            return upload.read().decode("utf-8-sig"), upload.filename
        except UnicodeDecodeError:
            form.upload.errors = [f"{upload.filename} is not UTF-8 text: save it as UTF-8 "
                                  "(YAML files are)"]
            return None
    filename = (form.filename.data or "").strip() or drafting.DEFAULT_FILENAME
    return (form.source.data or "").replace("\r\n", "\n"), filename


def _submit(form: DraftForm, kept: RulesetWorkInProgress | None,
            based_on: RulesetVersion | None) -> Any:
    session = get_session()
    user = current_user_of_request()
    read = _read_source(form) if form.validate_on_submit() else None
    if read is None:
        return _editor(form, kept, based_on, status=400)
    source, filename = read
    form.source.data, form.filename.data = source, filename
    if form.discard.data and kept is not None:
        drafting.discard_work_in_progress(session, kept.id, author=user)
        flash(_("Discarded your work in progress “%(title)s”.", title=kept.title), "success")
        return redirect(url_for(".rulesets"))
    if form.keep.data:
        try:
            kept = drafting.keep_work_in_progress(
                session, source, filename, author=user, wip_id=kept.id if kept else None,
                based_on=based_on)
        except ScoringError as exc:
            session.rollback()
            flash(exc.message, "error")
            return _editor(form, kept, based_on, status=400)
        flash(_("Kept as work in progress: only you see it, and it becomes a draft once it "
                "validates and you save it as one."), "success")
        return redirect(url_for(".wip", wip_id=kept.id))
    try:
        if kept is not None:
            version = drafting.promote_work_in_progress(session, get_plugin_manager(), kept.id,
                                                        source, author=user,
                                                        note=form.note.data)
        else:
            version = drafting.save_draft(session, get_plugin_manager(), source, filename,
                                          author=user, note=form.note.data)
    except InvalidInputError as exc:
        session.rollback()
        problems = [LineProblem.of(p) for p in exc.located] or [
            LineProblem(None, exc.field or "source", exc.message)]
        flash(_("Not saved: the ruleset has problems (listed below, each beside its line). "
                "Fix them, or keep the text as work in progress."), "error")
        return _editor(form, kept, based_on, problems, status=422)
    except ScoringError as exc:
        session.rollback()
        flash(_("Not saved: %(why)s", why=exc.message), "error")
        return _editor(form, kept, based_on, status=exc.status if exc.status != 404 else 400)
    flash(_("Saved %(version)s as a draft. An approver other than you approves it; KAMs "
            "and managers may comment on it until it is published.", version=version.label),
          "success")
    return redirect(url_for(".ruleset", name=version.name, version=version.version))


@bp.post("/check")
@requires("whatif.use")
def check() -> tuple[Response, int]:
    """The editor's check as one types: JSON ``{source, filename}`` in, the problems (each
    with its line) and, once valid, the changes against the published version out. It
    never writes; the new-draft page and the what-if page's YAML box both use it, so it
    needs ``whatif.use`` (every role that drafts has it; approvers and auditors simulate)."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):  # as the forms: off in tests only
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:  # a missing, expired or foreign token
            return jsonify(error=_("The page has expired: reload it to go on checking.")), 400
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("source"), str):
        return jsonify(error=_("Send JSON with the ruleset text as 'source'.")), 400
    filename = body.get("filename") if isinstance(body.get("filename"), str) else None
    try:
        found = drafting.check_source(get_session(), get_plugin_manager(),
                                      body["source"].replace("\r\n", "\n"),
                                      (filename or "").strip()[:200] or drafting.DEFAULT_FILENAME)
    except ScoringError as exc:
        return jsonify(error=exc.message), 422
    finally:
        get_session().rollback()  # a read: end it
    answer = found.as_dict()
    answer["problems"] = [p.as_shown() for p in found.problems]  # in the reader's language
    for change in answer.get("changes") or []:
        change["kind_text"] = word(change.get("kind"), "change")
    return jsonify(answer), 200


# -- a version ----------------------------------------------------------------------------------


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
                flash(_("Thank you: your comment is recorded."), "success")
                return redirect(url_for(".ruleset", name=name, version=version) + "#comments")
        return _ruleset_page(name, version, form)


bp.add_url_rule("/<name>/<int:version>", view_func=RulesetPage.as_view("ruleset"))


def _against(found: RulesetVersion) -> RulesetVersion | None:
    ref = request.args.get("against", "").strip()
    if not ref:
        return drafting.comparison_for(get_session(), found)
    try:
        return lifecycle.resolve_ref(get_session(), ref)
    except ScoringError as exc:
        _refuse(exc)
        raise


def _ruleset_page(name: str, version: int, form: CommentForm) -> tuple[str, int]:
    found = _version(name, version)
    against = _against(found)
    changes = (drafting.compare(get_plugin_manager(), against, found)
               if against is not None and against.id != found.id else None)
    compare_form = CompareForm(formdata=None)
    compare_form.against.choices = [c for c in _version_choices()
                                    if c.value != f"{found.name}:{found.version}"]
    if against is not None:
        compare_form.against.data = f"{against.name}:{against.version}"
    user = current_user_of_request()
    html = render_template(
        "rulesets/version.html", v=found, against=against, changes=changes,
        titles=version_titles(found, get_plugin_manager()),
        comment_form=form, compare_form=compare_form,
        open_for_comments=found.status in (RulesetStatus.DRAFT, RulesetStatus.APPROVED),
        can_comment=_may("rulesets.comment"), can_draft=_may("rulesets.draft"),
        can_approve=_may("rulesets.approve"), can_publish=_may("rulesets.publish"),
        is_drafter=user.username == found.drafted_by)
    return html, 400 if form.errors else 200


# -- approve and publish ------------------------------------------------------------------------


def _confirm(step: str, name: str, version: int) -> Any:
    """The confirmation page of ``step`` (GET) and the step itself (POST)."""
    session = get_session()
    found = _version(name, version)
    user = current_user_of_request()
    form = ConfirmForm()
    if form.validate_on_submit():
        service = lifecycle.approve_version if step == "approve" else lifecycle.publish_version
        try:
            service(session, name, version, user=user.username)
        except ScoringError as exc:
            session.rollback()
            flash((_("Not approved: %(why)s", why=exc.message) if step == "approve" else
                   _("Not published: %(why)s", why=exc.message)), "error")
        else:
            flash((_("%(version)s is approved. It can now be published.", version=found.label)
                   if step == "approve" else
                   _("%(version)s is published. Score runs use it from now on; it can no "
                     "longer change.", version=found.label)), "success")
        return redirect(url_for(".ruleset", name=name, version=version))
    published = drafting.published_of(session, found.name)
    against = published if published is not None and published.id != found.id else found.parent
    changes = (drafting.compare(get_plugin_manager(), against, found)
               if against is not None else None)
    return render_template("rulesets/confirm.html", step=step, v=found, form=form,
                           titles=version_titles(found, get_plugin_manager()),
                           against=against, published=published, changes=changes,
                           is_drafter=user.username == found.drafted_by)


@bp.route("/<name>/<int:version>/approve", methods=["GET", "POST"])
@requires("rulesets.approve")
def approve(name: str, version: int) -> Any:
    return _confirm("approve", name, version)


@bp.route("/<name>/<int:version>/publish", methods=["GET", "POST"])
@requires("rulesets.publish")
def publish(name: str, version: int) -> Any:
    return _confirm("publish", name, version)
