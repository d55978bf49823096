"""``/health``: is the database reachable and its schema current?"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy.exc import SQLAlchemyError

from kamscore.auth.access import public
from kamscore.db.migrate import schema_status
from kamscore.db.session import get_db, ping
from kamscore.db.unavailable import RETRY_AFTER

bp = Blueprint("health", __name__)


@bp.get("/health")
@public("load balancers and monitors probe it; it tells only whether the database answers")
def health():  # type: ignore[no-untyped-def]
    database = get_db()
    try:
        ping(database)
        status = schema_status(database.engine)
    except SQLAlchemyError as exc:
        return (jsonify(status="error", database="unreachable", detail=str(exc.orig or exc)),
                503, {"Retry-After": str(RETRY_AFTER)})
    body = {
        "status": "ok" if status.up_to_date else "error",
        "database": database.engine.dialect.name,
        "schema": status.current,
        "schema_head": status.head,
    }
    if not status.up_to_date:
        body["detail"] = status.message()
    return jsonify(body), 200 if status.up_to_date else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
