"""The ``kamscore`` command. Each area's commands live in their own module and are added to
the app's CLI in ``init_app``; ``main`` is the console-script entry point."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def init_app(app: Flask) -> None:
    from kamscore.cli import db, imports, survey, tokens, users

    app.cli.add_command(db.db_group)
    app.cli.add_command(imports.import_command)
    app.cli.add_command(tokens.token_group)
    app.cli.add_command(users.user_group)
    app.cli.add_command(survey.survey_group)

    from kamscore.cli import campaign

    app.cli.add_command(campaign.campaign_group)

    from kamscore.cli import pay, payroll, period, ruleset, ruleset_lifecycle, score

    app.cli.add_command(ruleset.ruleset_group)
    ruleset_lifecycle.register()  # import, list, show, approve, publish, comment, diff
    app.cli.add_command(score.score_group)
    app.cli.add_command(period.period_group)
    app.cli.add_command(payroll.payroll_group)
    app.cli.add_command(pay.pay_group)

    from kamscore.cli import targets

    app.cli.add_command(targets.targets_group)

    from kamscore.cli import plugins

    app.cli.add_command(plugins.plugins_command)

    from kamscore.cli import scheduler

    app.cli.add_command(scheduler.scheduler_group)

    from kamscore.cli import worker

    app.cli.add_command(worker.worker_command)

    from kamscore.cli import demo

    app.cli.add_command(demo.demo_command)


def _create_cli_app():  # type: ignore[no-untyped-def]
    from kamscore.factory import create_app
    from kamscore.plugin_host.manager import PluginError

    # CLI commands serve no pages: a missing secret key is not an error for them.
    try:
        return create_app({"ALLOW_EPHEMERAL_SECRET": True})
    except PluginError as exc:  # a broken plugin: its name and cause, not a traceback
        raise click.ClickException(str(exc)) from exc


#: Commands that run on a database whose schema is missing or behind: ``db`` brings it up to
#: date, ``demo`` upgrades it itself, ``plugins`` reads no database.
SCHEMA_EXEMPT = {"db", "demo", "plugins", "routes", "shell"}


class KamscoreGroup(FlaskGroup):
    """Refuses to run a command on a database without kamscore's schema, or with a schema
    behind the code, with the one thing to do (``kamscore db upgrade``) instead of the
    traceback of the first query (``no such table: person``)."""

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if (command is not None and name not in SCHEMA_EXEMPT and "--help" not in rest
                and not ctx.resilient_parsing):
            _check_schema(ctx)
        return name, command, rest


def _check_schema(ctx: click.Context) -> None:
    from flask.cli import ScriptInfo
    from sqlalchemy.exc import SQLAlchemyError

    from kamscore.db.migrate import schema_status
    from kamscore.db.session import get_db

    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        try:
            status = schema_status(get_db().engine)
        except SQLAlchemyError:
            return  # an unreachable database: the command reports it as it does today
    if not status.up_to_date:
        raise click.ClickException(status.message())


@click.group(cls=KamscoreGroup, create_app=_create_cli_app, add_default_commands=False,
             load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """kamscore: KAM surveys, metric plugins, rulesets and payouts."""
