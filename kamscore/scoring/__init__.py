"""Scoring services: ruleset lifecycle, score runs, statements, what-if, period closing.

Services take a SQLAlchemy ``Session`` and plain arguments and know nothing of Flask requests,
so the CLI, the API, the web pages and the tests call the very same functions. The maths lives
in the pure engine (``kamscore.engine``) and the metric values come from the plugins
(``kamscore.metrics``); this package loads their inputs, stores their results and explains
them.
"""
