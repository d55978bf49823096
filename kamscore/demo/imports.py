"""The analyst's import history in the demo: a facts file of the demo's own net sales,
checked (a dry run) and then imported — every row unchanged — as the import page would have
done it, so the page has a check and an import to show. Both go through ``import_file``,
so the import is in the audit log with its file's SHA-256 and counts."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.background.imports import TASK, import_params
from kamscore.background.records import finish_job, new_job
from kamscore.importing import import_file
from kamscore.models import Account, Fact, JobState, Period, Product, User
from kamscore.models.types import utcnow

#: the demo analyst, who imports
ANALYST = "analyst"
FILENAME = "net-sales.csv"
ROWS = 20


def demo_facts_file(session: Session, rows: int = ROWS) -> bytes:
    """A facts CSV of the first ``rows`` net sales of a product at an account of the demo's
    first period."""
    found = session.execute(
        select(Period.code, Fact.name, Account.code, Product.code, Fact.value, Fact.unit,
               Fact.source)
        .join(Period, Fact.period_id == Period.id).join(Account, Fact.account_id == Account.id)
        .join(Product, Fact.product_id == Product.id)
        .where(Fact.name == "net_sales", Fact.person_id.is_(None), Fact.team_id.is_(None))
        .order_by(Period.start_date, Account.code, Product.code).limit(rows)).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "name", "account", "product", "value", "unit", "source"])
    writer.writerows(found)
    return out.getvalue().encode()


def build_imports(session: Session) -> None:
    """A check and an import of :func:`demo_facts_file` by the demo analyst (if any)."""
    analyst = session.scalar(select(User).where(User.username == ANALYST))
    data = demo_facts_file(session)
    if analyst is None or data.count(b"\n") < 2:
        return
    checked_by = None
    for dry_run in (True, False):
        report = import_file(session, "facts", data, filename=FILENAME, dry_run=dry_run,
                             actor=ANALYST)
        params = import_params("facts", FILENAME, dry_run, len(data),
                               expected_sha256=None if dry_run else report.sha256)
        if checked_by:
            params["checked_by"] = checked_by
        job = new_job(session, analyst, TASK, params)
        job.state, job.started_at = JobState.RUNNING, utcnow()
        finish_job(session, job.id, rows=report.rows, result=report.as_dict())
        checked_by = job.id
    session.flush()
