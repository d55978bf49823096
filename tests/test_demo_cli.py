"""``kamscore demo``: build, reuse, reset, and a real served demo with data visible."""

from __future__ import annotations

import http.cookiejar
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from gunicorn_process import free_port
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from kamscore.db.session import get_db
from kamscore.demo import DEMO_PASSWORD
from kamscore.models import ScoreRun, ScoreRunStatus

ARGS = ["demo", "--no-serve", "--size", "0.1", "--year", "2025"]


def test_builds_then_reuses_then_resets(runner, app):
    first = runner.invoke(args=ARGS)
    assert first.exit_code == 0, first.output
    assert "Built the demo in" in first.output and "business year 2025" in first.output
    assert "61 people" not in first.output and "(4 KAMs)" in first.output
    assert f"'{DEMO_PASSWORD}'" in first.output and "DEMO ONLY" in first.output
    # the sign-in names, the manager and the KAM among them, one a line with the role
    for user, role in (("analyst", "analyst"), ("surveys", "survey_admin"),
                       ("manager", "manager"), ("kam", "kam")):
        assert re.search(rf"^  {user} +{role} ", first.output, re.MULTILINE), first.output
    assert re.search(r"^  manager .*, manager of Team ", first.output, re.MULTILINE)
    assert re.search(r"^  kam .*: .* \(E\d+\), lead KAM of Team ", first.output, re.MULTILINE)
    # the survey campaigns: two closed with answers, one open with some
    assert re.search(r"Survey campaign csat-2025-q4 \(closed\): [1-9][\d,]* of", first.output)
    assert re.search(r"Survey campaign 360-2025-q4 \(closed\): [1-9][\d,]* of", first.output)
    assert re.search(r"Survey campaign csat-2025-pulse \(open\): [1-9][\d,]* of",
                     first.output)
    assert (Path(app.instance_path) / "secret_key").is_file()
    # the pay side has something to show: the shipped plans published, one run made
    assert "Published standard v1, launch v1, mature v1; ran standard on 2025-Q4: 4 KAMs" \
        in first.output
    with get_db(app).sessionmaker() as session:
        run = session.scalars(select(ScoreRun)).one()
        assert (run.ruleset_name, run.created_by, run.kam_count) == ("standard", "analyst", 4)
        assert run.status is ScoreRunStatus.COMPLETE and run.total_payout > 0
        assert f"(/scoring/runs/{run.id})" in first.output

    again = runner.invoke(args=[*ARGS[:2], "--size", "2"])
    assert again.exit_code == 0, again.output
    assert "already holds data: serving it as it is" in again.output
    assert "kamscore demo --reset" in again.output and "(4 KAMs)" in again.output

    refused = runner.invoke(args=[*ARGS, "--reset"], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert "(4 KAMs)" in runner.invoke(args=ARGS).output  # nothing deleted

    reset = runner.invoke(args=["demo", "--no-serve", "--size", "0.5", "--reset", "--yes"])
    assert reset.exit_code == 0, reset.output
    assert "Built the demo" in reset.output and "(20 KAMs)" in reset.output
    assert "ran standard on 2025-Q4: 20 KAMs" in reset.output
    with get_db(app).sessionmaker() as session:  # the reset lifted nothing for good
        assert session.scalar(select(ScoreRun.kam_count)) == 20
        with pytest.raises(IntegrityError, match="is immutable"):
            session.execute(text("UPDATE score_run SET kam_count = 0"))


def test_bad_options_are_refused(runner):
    result = runner.invoke(args=["demo", "--no-serve", "--size", "0"])
    assert result.exit_code == 2 and "--size" in result.output
    result = runner.invoke(args=["demo", "--no-serve", "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.output


def _kamscore_command() -> str:
    script = Path(sys.executable).with_name("kamscore")
    if not script.exists():
        pytest.fail(f"the kamscore console script is not installed next to {sys.executable}")
    return str(script)


@pytest.mark.slow
@pytest.mark.xdist_group("servers")  # see tests/conftest.py
def test_kamscore_demo_serves_the_demo_with_data_visible(tmp_path):
    """What a newcomer does: run ``kamscore demo``, open the printed URL, sign in, look."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMSCORE_")}
    env["KAMSCORE_INSTANCE_PATH"] = str(tmp_path / "instance")
    process = subprocess.Popen(
        [_kamscore_command(), "demo", "--size", "0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("press Ctrl+C" in line for line in output):
            try:
                output.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail("kamscore demo did not start serving:\n" + "".join(output))
        printed = "".join(output)
        base = f"http://127.0.0.1:{port}"
        for path in ("/", "/kams", "/teams", "/accounts", "/api/docs", "/health"):
            assert f"{base}{path}" in printed
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

        def get(path: str) -> str:
            with opener.open(base + path, timeout=10) as response:
                return response.read().decode()

        assert re.search(r'stats__number">4</span> KAMs', get("/"))
        form = get("/sign-in")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode({"username": "analyst", "password": DEMO_PASSWORD,
                                       "csrf_token": token, "next": "/kams"}).encode()
        with opener.open(base + "/sign-in", data=body, timeout=10) as response:
            kams = response.read().decode()
        assert response.url == base + "/kams"
        assert "1–4 of 4 KAMs" in kams
        run_path = re.search(r"\((/scoring/runs/\d+)\)", printed).group(1)
        run_page = get(run_path)
        assert "standard" in run_page and "statements.csv" in run_page
        # a printed link answers the open survey campaign as a customer would
        link = re.search(r"Answer +http://127\.0\.0\.1:\d+(/s/[\w-]{43}) ", printed).group(1)
        assert "How are we doing as your partner?" in urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        ).open(base + link, timeout=10).read().decode()
        assert (tmp_path / "instance" / "kamscore.sqlite").is_file()
        assert (tmp_path / "instance" / "secret_key").is_file()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
