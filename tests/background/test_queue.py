"""The task queue's settings: where it is kept, nothing opened when an app is made, a wrong
URL refused at start-up, and no worker for a queue that runs tasks where they are queued."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from kamscore import create_app
from kamscore.background.queue import get_queue, queue_location
from kamscore.db.session import get_db


def test_where_the_queue_is_kept():
    assert queue_location(None, "/srv/inst") == ("sqlite", "/srv/inst/tasks.sqlite")
    assert queue_location("sqlite:////var/lib/q.sqlite", "/x") == ("sqlite", "/var/lib/q.sqlite")
    assert queue_location("redis://127.0.0.1:6379/2", "/x") == ("redis",
                                                                "redis://127.0.0.1:6379/2")
    for wrong in ("postgresql://db/kamscore", "sqlite:///", "127.0.0.1:6379"):
        with pytest.raises(ValueError, match="TASK_QUEUE_URL"):
            queue_location(wrong, "/x")


def test_an_app_opens_its_queue_only_when_used(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url},
                     instance_path=str(tmp_path / "inst"))
    try:
        queue = get_queue(app)
        assert not (tmp_path / "inst" / "tasks.sqlite").exists()
        assert isinstance(queue.huey, SqliteHuey)
        assert (tmp_path / "inst" / "tasks.sqlite").exists()
        assert queue.describe() == f"SQLite file {tmp_path / 'inst' / 'tasks.sqlite'} " \
                                   "(queue kamscore)"
        assert queue.huey is queue.huey  # one instance per app
    finally:
        get_db(app).dispose()


def test_a_redis_url_makes_a_redis_queue(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url,
                      "TASK_QUEUE_URL": "redis://:secret@127.0.0.1:6379/3",
                      "TASK_QUEUE_NAME": "kamscore-eu"}, instance_path=str(tmp_path))
    try:
        queue = get_queue(app)
        assert isinstance(queue.huey, RedisHuey)  # made without connecting
        assert queue.describe() == "Redis redis://127.0.0.1:6379/3 (queue kamscore-eu)"
        assert not Path(tmp_path / "tasks.sqlite").exists()
    finally:
        get_db(app).dispose()


def test_a_wrong_queue_url_stops_the_start(database_url, tmp_path):
    with pytest.raises(ValueError, match="TASK_QUEUE_URL"):
        create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url,
                    "TASK_QUEUE_URL": "amqp://rabbit"}, instance_path=str(tmp_path))


def test_no_worker_for_an_immediate_queue(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url,
                      "TASK_QUEUE_IMMEDIATE": True}, instance_path=str(tmp_path))
    try:
        result = app.test_cli_runner().invoke(args=["worker"])
        assert result.exit_code == 1
        assert "TASK_QUEUE_IMMEDIATE" in result.output
    finally:
        get_db(app).dispose()


def test_no_worker_on_a_schema_behind_the_code(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"},
                     instance_path=str(tmp_path))
    try:
        result = app.test_cli_runner().invoke(args=["worker"])
        assert result.exit_code == 1
        assert "kamscore db upgrade" in result.output
        assert not (tmp_path / "tasks.sqlite").exists()
    finally:
        get_db(app).dispose()
