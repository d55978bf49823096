"""Queries on statement lines, in the browser.

- ``POST /scoring/queries/raise/<run>/<kam>`` — a KAM asks about a line of his statement
  (``queries.raise``, own); back to the statement, where the query and its answer show;
- ``GET /scoring/queries/`` — the comp team's queue of open queries (``queries.answer``);
- ``POST /scoring/queries/<id>/answer`` — the comp team answers (``queries.answer``);
- ``POST /scoring/queries/<id>/resolve`` — the KAM (or the comp team) resolves an answered
  query (``queries.resolve``).

Each view parses the form, calls one service of ``kamscore.scoring.statement_queries`` with
the caller and his scope, commits and redirects; every step is in the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.scoring import statement_queries as queries
from kamscore.scoring.errors import ScoringError
from kamscore.web.nav import add_nav_item
from kamscore.web.query_forms import AnswerForm, RaiseQueryForm, ResolveForm

bp = Blueprint("query_pages", __name__, url_prefix="/scoring/queries",
               template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "query_pages.queue", "Queries")


def _statement_url(run_id: int, kam: str) -> str:
    return url_for("run_pages.statement", run_id=run_id, kam=kam) + "#queries"


def _form_errors(form: RaiseQueryForm | AnswerForm) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")


@bp.post("/raise/<int:run_id>/<kam>")
@requires("queries.raise")
def raise_query(run_id: int, kam: str) -> Response:
    form = RaiseQueryForm()
    form.line.choices = [request.form.get("line", "")]  # the service checks the line
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(_statement_url(run_id, kam))
    session = get_session()
    try:
        queries.raise_query(session, current_user_of_request(), current_scope(),
                            run_id=run_id, kam_code=kam, line=form.line.data,
                            body=form.body.data)
    except ScoringError as exc:
        session.rollback()
        if exc.status == 404:
            abort(404, description=exc.message)
        flash(exc.message, "error")
        return redirect(_statement_url(run_id, kam))
    session.commit()
    flash(_("Your question is sent to the comp team. Their answer will show here."), "success")
    return redirect(_statement_url(run_id, kam))


@bp.get("/")
@requires("queries.answer")
def queue() -> str:
    rows, total = queries.open_queries(get_session())
    return render_template("people/queries.html", rows=rows, total=total,
                           answer_form=AnswerForm())


@bp.post("/<int:query_id>/answer")
@requires("queries.answer")
def answer(query_id: int) -> Response:
    form = AnswerForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for(".queue"))
    session = get_session()
    try:
        queries.answer_query(session, current_user_of_request(), query_id, form.answer.data)
    except ScoringError as exc:
        session.rollback()
        if exc.status == 404:
            abort(404, description=exc.message)
        flash(exc.message, "error")
        return redirect(url_for(".queue"))
    session.commit()
    flash(_("Query %(id)s is answered.", id=query_id), "success")
    return redirect(url_for(".queue"))


@bp.post("/<int:query_id>/resolve")
@requires("queries.resolve")
def resolve(query_id: int) -> Response:
    form = ResolveForm()
    if not form.validate_on_submit():
        abort(400, description=_("the form is incomplete or has expired; reload the page"))
    session = get_session()
    try:
        query = queries.resolve_query(session, current_user_of_request(), current_scope(),
                                      query_id)
        run_id, kam = query.run_id, query.person.code
    except ScoringError as exc:
        session.rollback()
        if exc.status == 404:
            abort(404, description=exc.message)
        flash(exc.message, "error")
        return redirect(url_for("run_pages.home"))
    session.commit()
    flash(_("The query is resolved."), "success")
    return redirect(_statement_url(run_id, kam))
