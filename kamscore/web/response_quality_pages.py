"""Response quality of a campaign, for survey administrators (``campaigns.manage``).

``/campaigns/manage/<code>/quality`` shows how many responses carry each flag (speeder,
straight-liner, duplicate) in the whole campaign and per subject — only groups that reach
the minimum size — and how many are excluded from scoring; its forms exclude the flagged
responses of the campaign or of one subject with a reason, and turn the automatic exclusion
of speeders on or off. The services check and audit every step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.surveys import response_exclusion
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.errors import NotFound, SurveyError
from kamscore.surveys.response_quality import FLAGS
from kamscore.web.response_quality_forms import WHOLE_CAMPAIGN, ExcludeForm, SpeederSettingForm
from kamscore.web.stored_words import word

bp = Blueprint("response_quality_pages", __name__, url_prefix="/campaigns/manage",
               template_folder="templates")


def _minimums() -> Minimums:
    return Minimums.from_config(current_app.config)


def _page(code: str, exclude: ExcludeForm | None = None, status: int = 200) -> Any:
    try:
        report = response_exclusion.quality_report(get_session(), code, _minimums())
    except NotFound as exc:
        abort(404, description=exc.message)
    exclude = exclude or ExcludeForm(formdata=None)
    exclude.offer([(s.code, s.name) for s in report.subjects])
    setting = SpeederSettingForm(formdata=None, exclude_speeders=report.exclude_speeders)
    return render_template("campaigns/quality.html", q=report, exclude=exclude,
                           setting=setting, flags=FLAGS), status


@bp.get("/<code>/quality")
@requires("campaigns.manage")
def quality(code: str) -> Any:
    return _page(code)


@bp.post("/<code>/quality/exclude")
@requires("campaigns.manage")
def exclude(code: str) -> Any:
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _page(code, form, 422)
    session = get_session()
    try:
        count = response_exclusion.exclude_flagged(
            session, code, form.flag.data, form.reason.data, current_user_of_request(),
            _minimums(), dt.datetime.now(dt.UTC),
            subject=None if form.subject.data == WHOLE_CAMPAIGN else form.subject.data)
        session.commit()
    except SurveyError as exc:
        session.rollback()
        field = getattr(form, exc.field or "", None) or form.submit
        field.errors = [*list(field.errors or []), exc.message]
        return _page(code, form, exc.status if exc.status != 404 else 422)
    flash(ngettext("Excluded from scoring: %(num)s response flagged %(flag)s.",
                   "Excluded from scoring: %(num)s responses flagged %(flag)s.", count,
                   flag=word(form.flag.data, "flag")), "success")
    return redirect(url_for(".quality", code=code))


@bp.post("/<code>/quality/setting")
@requires("campaigns.manage")
def setting(code: str) -> Response:
    form = SpeederSettingForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    session = get_session()
    try:
        changed = response_exclusion.set_exclude_speeders(
            session, code, bool(form.exclude_speeders.data), current_user_of_request(),
            _minimums(), dt.datetime.now(dt.UTC))
        session.commit()
    except NotFound as exc:
        abort(404, description=exc.message)
    if form.exclude_speeders.data:
        done = ngettext("Automatic exclusion of speeders is on (%(num)s response changed).",
                        "Automatic exclusion of speeders is on (%(num)s responses changed).",
                        changed)
    else:
        done = ngettext("Automatic exclusion of speeders is off (%(num)s response changed).",
                        "Automatic exclusion of speeders is off (%(num)s responses changed).",
                        changed)
    flash(done, "success")
    return redirect(url_for(".quality", code=code))
