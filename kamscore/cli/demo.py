"""``kamscore demo``: migrate, build the seeded demo organisation, print where to look, serve.

Run twice, it serves the database it built the first time (a database that already holds
data is never changed without ``--reset``). ``--reset`` deletes every row and builds again.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url

from kamscore.config import write_secret_key
from kamscore.db import migrate
from kamscore.db.session import get_db
from kamscore.demo import DEMO_PASSWORD, DemoSpec, DemoSummary, prepare_demo
from kamscore.demo.pay import publish_and_score
from kamscore.demo.spec import CAMPAIGNS_MAX_SIZE, MAX_SIZE
from kamscore.demo.targets import open_target_round
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.surveys.aggregate_store import Minimums

#: Pages worth opening first: (label, endpoint). Those whose capability is not installed
#: are left out; navigation entries added by capabilities are listed after these.
LANDMARKS = (
    ("Home", "web.home"),
    ("KAMs", "web.kams"),
    ("Teams", "web.teams"),
    ("Accounts", "web.accounts"),
    ("Sign in", "web.login"),
    ("API docs", "api_docs.swagger_ui"),
    ("OpenAPI", "api-docs.openapi_json"),
    ("Health", "health.health"),
)


@click.command("demo")
@click.option("--size", type=click.FloatRange(0, MAX_SIZE, min_open=True), default=1.0,
              show_default=True,
              help=("Scale: 1 = 40 KAMs, 8 teams, 300 accounts; 250 = 10,000 KAMs (about 80 s, "
                    "2 GB of SQLite); 2500 = 100,000 KAMs (about 30 min, 18 GB, 6 GB of "
                    "memory)."))
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed: the same seed, size and year build the same data.")
@click.option("--year", type=click.IntRange(1990, 2200), default=None,
              help="Business year of the demo (default: last calendar year).")
@click.option("--reset", is_flag=True,
              help="Delete every row in the database and build the demo again.")
@click.option("--yes", is_flag=True, help="Do not ask before --reset deletes data.")
@click.option("--no-serve", is_flag=True, help="Only build; do not start the web server.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@with_appcontext
def demo_command(size: float, seed: int, year: int | None, reset: bool, yes: bool,
                 no_serve: bool, host: str, port: int) -> None:
    """Build a realistic demo organisation into the database and serve kamscore on it.

    Upgrades the schema, creates the instance folder's secret key if there is none, builds
    the demo into an empty database (a database that already holds data is served as it is;
    use --reset to rebuild), prints the pages to open and the demo users, and serves with
    Flask's development server until Ctrl+C.
    """
    app = current_app
    url = app.config["DATABASE_URL"]
    shown_url = make_url(url).render_as_string(hide_password=True)
    if reset and not yes:
        click.confirm(f"Delete every row in {shown_url} and build the demo again?", abort=True)
    migrate.upgrade(url)
    write_secret_key(app.instance_path)
    spec = DemoSpec(size=size, seed=seed, year=year)
    with get_db().session() as session:
        summary = prepare_demo(session, spec, reset=reset,
                               minimums=Minimums.from_config(app.config))
    _report(summary, shown_url)
    if summary.built:
        with get_db().sessionmaker() as session:
            pay = publish_and_score(session, get_plugin_manager(), spec)
            targets = open_target_round(session, get_plugin_manager(), spec,
                                        dt.datetime.now(dt.UTC))
        click.echo(f"Published {', '.join(pay.published)}; ran {pay.ruleset} on {pay.period}: "
                   f"{pay.kams:,} KAMs, {pay.total_payout:,.2f} {pay.currency} paid "
                   f"(/scoring/runs/{pay.run_id})")
        click.echo(f"Opened target round {targets.code}: {targets.kams:,} KAMs, "
                   f"{targets.proposals} proposals (/targets/rounds/{targets.code})")
    if no_serve:
        return
    _serve(app, host, port, summary)


def _report(summary: DemoSummary, shown_url: str) -> None:
    counts = summary.counts
    if summary.built:
        spec = summary.spec
        click.echo(f"Built the demo in {summary.seconds:.1f} s (size {spec.size:g}, "
                   f"seed {spec.seed}, business year {spec.business_year}) into {shown_url}")
    else:
        click.echo(f"{shown_url} already holds data: serving it as it is. "
                   "Run `kamscore demo --reset` to delete it and build the demo again.")
    click.echo(
        f"  {counts['people']:,} people ({summary.kams:,} KAMs), {counts['teams']:,} teams, "
        f"{counts['accounts']:,} accounts, {counts['stakeholders']:,} stakeholders, "
        f"{counts['facts']:,} facts, {counts['account plans']:,} account plans"
    )
    if summary.built:
        for c in summary.surveys.campaigns:
            click.echo(f"  Survey campaign {c.code} ({c.status}): {c.answered:,} of "
                       f"{c.invited:,} invited answered")
        if not summary.spec.with_campaigns:
            click.echo(f"  No survey campaigns above size {CAMPAIGNS_MAX_SIZE:g}: survey "
                       "results come from the survey facts.")
        click.echo("Sign in as (user name, role, who):")
        for u in summary.users:
            about = f": {u.about}" if u.about else ""
            click.echo(f"  {u.username:<9} {u.roles:<13} {u.name}{about}")
        click.echo(f"  with the password {DEMO_PASSWORD!r} "
                   "(DEMO ONLY: anyone who reads this can sign in).")
    else:
        click.echo("The demo users, if this is a demo database, have the password "
                   f"{DEMO_PASSWORD!r}.")


def _serve(cli_app: Flask, host: str, port: int, summary: DemoSummary) -> None:
    from werkzeug.serving import make_server

    from kamscore.factory import create_app

    get_db(cli_app).dispose()
    # The served app loads its settings like gunicorn's would: the secret key now comes from
    # the environment, instance/config.py or the key file just written. No worker runs
    # beside the demo: background jobs (large imports) run at once, in the request.
    app = create_app({"TASK_QUEUE_IMMEDIATE": True}, instance_path=cli_app.instance_path)
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve on {host}:{port} ({exc.strerror}); choose another with --port"
        ) from exc
    base = f"http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}"
    click.echo("Open:")
    for label, url in page_urls(app, base):
        click.echo(f"  {label:<12} {url}")
    for language, token in summary.surveys.links:
        click.echo(f"  {'Answer':<12} {base}/s/{token} (a customer's survey link, {language})")
    click.echo("Serving with Flask's development server (not for production: see "
               "docs/operations.md); press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
        get_db(app).dispose()


def page_urls(app: Flask, base: str) -> list[tuple[str, str]]:
    """Labels and absolute URLs of the landmark pages and the capabilities' nav entries."""
    from kamscore.web.nav import nav_entries

    entries = [(label, endpoint) for label, endpoint in LANDMARKS
               if endpoint in app.view_functions]
    known = {endpoint for _, endpoint in entries}
    entries += [(item.label, item.endpoint) for item in nav_entries(app)
                if item.endpoint not in known and item.endpoint in app.view_functions]
    urls = []
    with app.test_request_context(base_url=base):
        from flask import url_for

        for label, endpoint in entries:
            urls.append((label, url_for(endpoint, _external=True)))
    return urls
