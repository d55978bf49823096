"""The administrators' pages: users (create, roles, disable, password) and the audit log.

- ``/admin/users`` and ``/admin/users/<username>`` need ``users.manage`` (admins): the same
  service as ``kamscore user ...`` (``kamscore.auth.users``), so the same rules and the same
  audit events; a change of roles, a new password or disabling ends the user's sessions.
- ``/admin/audit`` (and ``/admin/audit.csv``) needs ``audit.read`` (admins and auditors):
  filter by user, action, object and days.

Views parse the form, call one service and render or redirect.
"""

from __future__ import annotations

import io
import math
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

from kamscore.audit.log import record
from kamscore.audit.queries import (
    CSV_COLUMNS,
    AuditFilter,
    event_row,
    page_of_events,
    select_events,
)
from kamscore.auth.access import current_user_of_request, requires
from kamscore.auth.users import (
    UserError,
    create_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    reset_password,
    set_roles,
)
from kamscore.db.session import get_session
from kamscore.exports.csv_cells import CsvWriter
from kamscore.web.admin_forms import (
    AuditFilterForm,
    ConfirmForm,
    NewUserForm,
    PasswordForm,
    RolesForm,
)
from kamscore.web.nav import add_nav_item

bp = Blueprint("admin_pages", __name__, url_prefix="/admin", template_folder="templates")

AUDIT_PER_PAGE = 50
CSV_LIMIT = 100_000


def init_app(app: Flask) -> None:
    add_nav_item(app, "admin_pages.users", "Users", also=("admin_pages.user",))
    add_nav_item(app, "admin_pages.audit", "Audit log")


# -- users -----------------------------------------------------------------------------------


@bp.get("/users")
@requires("users.manage")
def users() -> str:
    return _users_page(NewUserForm(formdata=None))


@bp.post("/users")
@requires("users.manage")
def create() -> Any:
    form = NewUserForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = create_user(session, current_user_of_request(), username=form.username.data,
                               name=form.name.data or "", password=form.password.data,
                               roles=form.roles.data, person=form.person.data or None,
                               teams=form.team_codes(), settings=current_app.config)
        except UserError as exc:
            session.rollback()
            _field_error(form, exc)
        else:
            session.commit()
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for(".user", username=user.username))
    return _users_page(form), 400


def _users_page(form: NewUserForm) -> str:
    return render_template("admin/users.html", users=list_users(get_session()), form=form)


@bp.get("/users/<username>")
@requires("users.manage")
def user(username: str) -> str:
    found = _found(username)
    form = RolesForm(formdata=None, roles=list(found.role_names),
                     person=found.person.code if found.person else "",
                     teams=", ".join(t.code for t in found.teams))
    return _user_page(found, roles_form=form)


@bp.post("/users/<username>/roles")
@requires("users.manage")
def change_roles(username: str) -> Any:
    found = _found(username)
    form = RolesForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            set_roles(session, current_user_of_request(), found.username, roles=form.roles.data,
                      person=form.person.data or None, teams=form.team_codes())
        except UserError as exc:
            session.rollback()
            _field_error(form, exc)
        else:
            session.commit()
            flash(_("Roles of %(username)s saved; his sessions have ended.",
                    username=found.username), "success")
            return redirect(url_for(".user", username=found.username))
    return _user_page(_found(username), roles_form=form), 400


@bp.post("/users/<username>/password")
@requires("users.manage")
def change_password(username: str) -> Any:
    found = _found(username)
    form = PasswordForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            reset_password(session, current_user_of_request(), found.username,
                           form.password.data, settings=current_app.config)
        except UserError as exc:
            session.rollback()
            _field_error(form, exc)
        else:
            session.commit()
            flash(_("Password of %(username)s set; his sessions have ended.",
                    username=found.username), "success")
            return redirect(url_for(".user", username=found.username))
    return _user_page(found, password_form=form), 400


@bp.post("/users/<username>/disable")
@requires("users.manage")
def disable(username: str) -> Response:
    return _switch(username, disable_user,
                   _("User %(username)s disabled: his sessions and API tokens stopped.",
                     username=username))


@bp.post("/users/<username>/enable")
@requires("users.manage")
def enable(username: str) -> Response:
    return _switch(username, enable_user, _("User %(username)s enabled.", username=username))


def _switch(username: str, change: Any, done: str) -> Response:
    found = _found(username)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    session = get_session()
    change(session, current_user_of_request(), found.username)
    session.commit()
    flash(done, "success")
    return redirect(url_for(".user", username=found.username))


def _user_page(found: Any, *, roles_form: RolesForm | None = None,
               password_form: PasswordForm | None = None) -> str:
    roles_form = roles_form or RolesForm(formdata=None, roles=list(found.role_names),
                                         person=found.person.code if found.person else "",
                                         teams=", ".join(t.code for t in found.teams))
    return render_template("admin/user.html", user=found, roles_form=roles_form,
                           password_form=password_form or PasswordForm(formdata=None),
                           confirm_form=ConfirmForm())


def _found(username: str) -> Any:
    try:
        return get_user(get_session(), username)
    except UserError:
        abort(404, description=_("There is no user named %(username)s.", username=username))


def _field_error(form: Any, exc: UserError) -> None:
    field = getattr(form, exc.field, None)
    if field is None or not hasattr(field, "errors"):
        field = form.submit
    field.errors = [*field.errors, exc.message]


# -- audit log -------------------------------------------------------------------------------


def _audit_filter() -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.args)
    if not form.validate():
        problems = "; ".join(f"{name}: {', '.join(errors)}"
                             for name, errors in form.errors.items())
        abort(400, description=_("Filters not understood: %(problems)s", problems=problems))
    return form, AuditFilter(actor=form.actor.data or None, action=form.action.data or None,
                             object_type=form.object_type.data or None,
                             object_key=form.object_key.data or None,
                             since=form.since.data, until=form.until.data)


@bp.get("/audit")
@requires("audit.read")
def audit() -> str:
    form, filters = _audit_filter()
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10**9:
        abort(400, description=f"page must be a whole number from 1, not {raw!r}")
    page = int(raw)
    events, total = page_of_events(get_session(), filters, page, AUDIT_PER_PAGE)
    pages = max(1, math.ceil(total / AUDIT_PER_PAGE))
    return render_template("admin/audit.html", filters=form, events=events, total=total,
                           page=page, pages=pages)


@bp.get("/audit.csv")
@requires("audit.read")
def audit_csv() -> Response:
    _, filters = _audit_filter()
    session = get_session()
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in session.scalars(select_events(filters).limit(CSV_LIMIT)):
        writer.writerow(event_row(event))
        count += 1
    record(session, current_user_of_request(), "export.audit", "audit", "csv", rows=count)
    session.commit()
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-events.csv"'})
