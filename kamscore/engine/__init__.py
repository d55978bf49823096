"""The pure core of kamscore's incentive plans: the ruleset model, its YAML loader and
validator, the expression language, and the vectorised evaluation.

Nothing here opens a file, a database session or a Flask request: the loader is given YAML
*text*, the engine is given numpy arrays, and both return plain data. The same ``evaluate``
serves official score runs, statements and what-if.

Public API::

    from kamscore.engine import evaluate, load_ruleset, Population, MetricValues
    ruleset = load_ruleset(yaml_text, "rulesets/x.yaml", metric_catalogue, functions)
    evaluation = evaluate(ruleset, population, {"sales": MetricValues.of([...])})
    evaluation.payout_minor      # int64 rounded payouts in minor units (cents)
    evaluation.statement(i)      # KamStatement: the explanation of KAM i
    evaluation.statement_columns()  # every KAM's statement as arrays; .statement(i) renders one
"""

from kamscore.engine.evaluate import evaluate
from kamscore.engine.inputs import EvaluationInputError, Items, MetricValues, Population
from kamscore.engine.loader import check_ruleset, load_ruleset
from kamscore.engine.model import Ruleset
from kamscore.engine.requirements import required_attributes
from kamscore.engine.results import Evaluation, Status, Treatment
from kamscore.engine.statement import KamStatement

__all__ = [
    "Evaluation",
    "EvaluationInputError",
    "Items",
    "KamStatement",
    "MetricValues",
    "Population",
    "Ruleset",
    "Status",
    "Treatment",
    "check_ruleset",
    "evaluate",
    "load_ruleset",
    "required_attributes",
]
