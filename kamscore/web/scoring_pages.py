"""The pay pages' shared blueprint: it serves their stylesheet (``scoring.css``) and their
templates folder. The pages themselves live in modules named for what they hold:
``run_pages`` (runs, statements, close, payroll), ``whatif_pages``, ``ruleset_pages``,
``query_pages`` (questions on statement lines) and ``scorecard_pages``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("scoring_pages", __name__, url_prefix="/scoring", template_folder="templates",
               static_folder="static/scoring", static_url_path="/static/scoring")
