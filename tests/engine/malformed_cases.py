"""Malformed rulesets and formulas, each with the problem the validator must report.

Each case is ``(id, yaml_text, expected)``: ``expected`` is one full problem line,
``FILE:LINE: key.path: message``, that must be among the problems reported for the text
(checked in test_engine_validation.py). The texts start with the five-line ``HEAD``, so the
first component is on line 7.
"""

from __future__ import annotations

from conftest import HEAD

F = "rulesets/bad.yaml"

SALES = """\
components:
  - id: sales
    metric: sales_attainment
    weight: 100
    curve:
      points:
        - {at: 80%, pays: 50%}
        - {at: 100%, pays: 100%}
"""


def sales(old: str, new: str) -> str:
    """The one-component plan with ``old`` replaced by ``new``."""
    assert old in SALES
    return HEAD + SALES.replace(old, new)


def component(body: str, metric: str = "sales_attainment", extra: str = "") -> str:
    """A single component ``c`` of weight 100 with ``body`` (indented 4) after its weight."""
    lines = "".join(f"    {line}\n" for line in body.strip("\n").split("\n"))
    return (HEAD + "components:\n  - id: c\n    metric: " + metric + "\n    weight: 100\n"
            + lines + extra)


def formula(source: str, metric: str = "sales_attainment") -> str:
    return component(f"formula: {source!r}".replace("\\\\", "\\"), metric)


CURVE = "curve: {points: [{at: 0.8, pays: 0.5}, {at: 1, pays: 1}]}"
NESTED_1000 = "(" * 1000 + "value" + ")" * 1000
NESTED_400 = "(" * 400 + "value" + ")" * 400

CASES: list[tuple[str, str, str]] = []


def case(case_id: str, text: str, expected: str) -> None:
    CASES.append((case_id, text, expected))


# -- structure and types -------------------------------------------------------------------
case("unknown top-level key", HEAD + SALES + "componets: []\n",
     F + ":14: componets: unknown key 'componets'; did you mean 'components'"
     "? (expected 'name', 'version', 'period', 'currency', 'target_incen"
     "tive', 'components', 'title', 'description', 'rounding', 'eligibil"
     "ity', 'parameters', 'attributes', 'parts', 'horizons', 'variants',"
     " 'gates', 'modifiers', 'limits', 'ramp' or 'acknowledgment')")
case("acknowledgment.hold_payouts not a boolean",
     HEAD + SALES + "acknowledgment: {hold_payouts: often}\n",
     F + ":14: acknowledgment.hold_payouts: expected true or false, found 'often'")
case("missing required key", HEAD.replace("target_incentive: {amount: 1000}\n", "") + SALES,
     F + ":1: (document): missing required key 'target_incentive'")
case("bad type for a weight", sales("weight: 100", "weight: forty"),
     F + ':9: components[0].weight: expected a weight in percent (like 40 or'
     " 40%), found 'forty'")
case("choice with a typo", HEAD.replace("quarter", "quarterly") + SALES,
     F + ":3: period: expected 'month', 'quarter' or 'year', found 'quarterl"
     "y'; did you mean 'quarter'?")
case("currency code", HEAD.replace("EUR", "euro") + SALES,
     F + ':4: currency: expected a three-letter currency code like EUR, foun'
     "d 'euro'")
case("duplicate key", sales("weight: 100", "weight: 100\n    weight: 90"),
     F + ":10: components[0].weight: duplicate key 'weight' (first given on "
     'line 9)')
case("YAML syntax error", HEAD + SALES.replace("    weight: 100", "    weight: [100"),
     F + ':10: (document): YAML syntax: while parsing a flow sequence expect'
     "ed ',' or ']', but got ':'")
case("YAML aliases refused", HEAD + "anchors: &a {x: 1}\n" + SALES,
     F + ':6: (document): YAML anchors and aliases (&name, *name) are not al'
     'lowed in rulesets: write each value out, so every line says what i'
     't means')
case("YAML nested 100,000 deep", HEAD + "parameters: " + "[" * 100_000 + "]" * 100_000 + "\n"
     + SALES,
     F + ":6: (document): mappings and lists are nested more than 30 levels deep here; at most "
     "that many are allowed")
case("YAML nested 31 deep in blocks", HEAD + "parameters:\n" + "".join(
    "  " * (i + 1) + f"k{i}:\n" for i in range(31)) + "  " * 32 + "x: 1\n" + SALES,
     F + ":36: (document): mappings and lists are nested more than 30 levels deep here; at "
     "most that many are allowed")
case("number of 5,000 digits", sales("weight: 100", "weight: " + "1" * 5000),
     F + ":9: components[0].weight: a number written with 5000 characters; at most 100 are "
     "allowed")
case("a date that does not exist", HEAD + "parameters: {d: 2026-02-31}\n" + SALES,
     F + ":6: parameters.d: cannot read '2026-02-31': day is out of range for month")
case("duplicate component id", HEAD + SALES.replace("weight: 100", "weight: 50")
     + SALES.split("\n", 1)[1].replace("weight: 100", "weight: 50"),
     F + ":14: components[1].id: duplicate component id 'sales'")
case("reserved component id", sales("id: sales", "id: max"),
     F + ":7: components[0].id: 'max' is the name of a formula function; cho"
     'ose another name')

# -- metrics and parameters ----------------------------------------------------------------
case("unknown metric", sales("sales_attainment", "sales_atainment"),
     F + ":8: components[0].metric: unknown metric 'sales_atainment'; did yo"
     "u mean 'sales_attainment'? (known: amount, collaboration_360, csat, days_t"
     'o_listing, formulary_status, growth, market_share, nps, relationsh'
     'ip_quality, sales_attainment, team_goal_attainment)')
case("unknown parameter", sales("weight: 100", "weight: 100\n    params: {prodcts: [P1]}"),
     F + ":10: components[0].params.prodcts: unknown parameter 'prodcts' of "
     "metric sales_attainment; did you mean 'products'? (it takes: credi"
     't, products)')
case("parameter failing the metric's schema",
     sales("weight: 100", "weight: 100\n    params: {credit: team}"),
     F + ':10: components[0].params.credit: metric sales_attainment: Must be'
     ' one of: assignment, account.')

# -- weights -------------------------------------------------------------------------------
case("weights do not add up", sales("weight: 100", "weight: 90"),
     F + ':6: components: weights add up to 90 % (sales 90 %), expected 100 '
     '%')
case("weights written as fractions",
     HEAD + SALES.replace("weight: 100", "weight: 0.6")
     + SALES.split("\n", 1)[1].replace("id: sales", "id: growth").replace("weight: 100",
                                                                          "weight: 0.4"),
     F + ':6: components: weights add up to 1 % (sales 0.6 % + growth 0.4 %)'
     ', expected 100 %; weights are percentages: write 40 or 40%, not 0.'
     '4')
case("variant weights do not add up", HEAD + SALES.replace("weight: 100", "weight: 60")
     + SALES.split("\n", 1)[1].replace("id: sales", "id: growth").replace("weight: 100",
                                                                          "weight: 40")
     + "variants:\n  - id: dev\n    when: {segment: development}\n"
       "    weights: {sales: 50, growth: 40}\n",
     F + ":24: variants[0].weights: weights add up to 90 % under variant 'de"
     "v' (sales 50 % + growth 40 %), expected 100 %")
case("declared part split not matched", HEAD + "parts: {individual: 80, team: 20}\n" + SALES,
     F + ':7: components: the individual components weigh 100 %, but parts d'
     'eclares individual: 80 %')

# -- curves and tiers ----------------------------------------------------------------------
case("breakpoints out of order", sales("at: 100%,", "at: 70%,"),
     F + ':13: components[0].curve.points[1].at: breakpoints must be in incr'
     "easing order of value: 0.7 is not above the previous point's 0.8")
case("curve pays less for a better value", sales("pays: 100%", "pays: 40%"),
     F + ':13: components[0].curve.points[1].pays: pays 0.4 after 0.5: for t'
     'his metric a higher value is better, so the factor must not fall a'
     's the value rises')
case("lower-is-better curve without below",
     component("curve: {points: [{at: 5, pays: 1}, {at: 10, pays: 0.5}]}",
               "days_to_listing"),
     F + ':10: components[0].curve: for a metric where lower is better, stat'
     'e `below` (the factor paid for values under the first point, the b'
     'est ones)')
case("tiers overlap", component("""
tiers:
  mode: flat
  rows:
    - {from: 0, to: 0.9, pays: 0}
    - {from: 0.8, pays: 1}"""),
     F + ':13: components[0].tiers.rows[0].to: tiers overlap: this tier runs'
     ' to 0.9 but the next one starts at 0.8')
case("gap between tiers", component("""
tiers:
  mode: flat
  rows:
    - {from: 0, to: 0.7, pays: 0}
    - {from: 0.8, pays: 1}"""),
     F + ':13: components[0].tiers.rows[0].to: gap between tiers: this tier '
     'ends at 0.7 but the next one starts at 0.8')
case("tiers out of order", component("""
tiers:
  mode: interpolated
  rows:
    - {from: 0.9, pays: 0}
    - {from: 0.8, pays: 1}"""),
     F + ':14: components[0].tiers.rows[1].from: tiers must be in increasing'
     " order: from 0.8 is not above the previous tier's from 0.9")
case("tier ending before it starts", component("""
tiers:
  mode: flat
  rows:
    - {from: 0.9, to: 0.5, pays: 0}
    - {from: 0.5, pays: 1}"""),
     F + ':13: components[0].tiers.rows[0].to: the tier ends (0.5) before it'
     ' starts (0.9)')
case("last tier not open-ended", component("""
tiers:
  mode: flat
  rows:
    - {from: 0, to: 1, pays: 0}
    - {from: 1, to: 2, pays: 1}"""),
     F + ':14: components[0].tiers.rows[1].to: the last tier is open-ended: '
     'leave out `to` (a value at or above it would be in no tier)')
case("marginal tiers need rates", component("""
tiers:
  mode: marginal
  rows:
    - {from: 0, pays: 1}"""),
     F + ":13: components[0].tiers.rows[0]: missing required key 'rate'")
case("two transforms", component(CURVE + "\nformula: 'value'"),
     F + ':11: components[0].formula: give one of curve, tiers, lookup or fo'
     "rmula, not both 'curve' and 'formula'")
case("paying component without a transform", component("missing: zero"),
     F + ':7: components[0]: a component with a weight needs one of curve, t'
     'iers, lookup or formula to turn its metric value into a factor')
case("lookup key that is not a value", component("lookup: {table: {listed: 1}}",
                                                 "formulary_status"),
     F + ':10: components[0].lookup.table.listed: lookup keys are the metric'
     "'s values (numbers), found 'listed'")
case("floor above cap", component(CURVE + "\ncap: 1\nfloor: 1.5"),
     F + ':12: components[0].floor: the floor 1.5 is above the cap 1')
case("factor that is a percentage written plainly", sales("pays: 100%", "pays: 100"),
     F + ':13: components[0].curve.points[1].pays: a factor of 100 would pay'
     ' 10000 % of target; write 100% (= 1) for 100 %')

# -- units ---------------------------------------------------------------------------------
case("threshold above 1 on a share metric", component("""
tiers:
  mode: flat
  rows:
    - {from: 0, pays: 0}
    - {from: 60, pays: 1}""", "csat"),
     F + ':14: components[0].tiers.rows[1].from: 60 is outside the range of '
     "the metric's unit share (0 to 1): 60 looks like a percentage, writ"
     'e 0.6 or 60%')
case("percentage on a points metric", component("""
tiers:
  mode: flat
  rows:
    - {from: 0, pays: 0}
    - {from: 50%, pays: 1}""", "formulary_status"),
     F + ':14: components[0].tiers.rows[1].from: unit mismatch: 50% is a per'
     "centage but the metric's unit is points; write a plain number in p"
     'oints')
case("unit mismatch in a formula", formula("if(value > 5 pts, 1, 0)", "csat"),
     F + ":10: components[0].formula: a formula: unit mismatch in '>': share"
     ' and points (at column 10) in `if(value > 5 pts, 1, 0)`')

# -- gates, modifiers, variants -------------------------------------------------------------
case("gate on a metric the ruleset does not compute",
     HEAD + SALES + "gates:\n  - id: g\n    component: nps\n    at_least: 20\n",
     F + ":16: gates[0].component: the gate reads metric 'nps', which this r"
     'uleset does not compute: add a component with metric: nps (weight '
     '0 if it should not pay) and name its id here')
case("gate on an unknown component",
     HEAD + SALES + "gates:\n  - id: g\n    component: sale\n    at_least: 90%\n",
     F + ":16: gates[0].component: unknown component 'sale'; did you mean 's"
     "ales'?")
case("gate value above 1 on a share metric",
     HEAD + SALES.replace("weight: 100", "weight: 100") + "  - id: csat\n    metric: csat\n"
     "    weight: 0\ngates:\n  - id: g\n    component: csat\n    at_least: 60\n",
     F + ":20: gates[0].at_least: 60 is outside the range of the metric's un"
     'it share (0 to 1): 60 looks like a percentage, write 0.6 or 60%')
case("gate that cannot fail", HEAD + SALES
     + "gates:\n  - id: g\n    when: 'sales > 0.9'\n    otherwise: 2\n",
     F + ':17: gates[0].otherwise: expected the factor a failed gate keeps b'
     'etween 0 and 1, found 2')
case("variant on an unknown attribute", HEAD + SALES
     + "variants:\n  - id: v\n    when: {segmnt: strategic}\n",
     F + ":16: variants[0].when.segmnt: unknown attribute 'segmnt'; did you "
     "mean 'segment'? (declare it under `attributes:` if the population "
     'has it)')
case("modifier formula that is a condition", HEAD + SALES
     + "modifiers:\n  - id: m\n    multiplier: 'sales > 1'\n",
     F + ':16: modifiers[0].multiplier: a multiplier formula: expected a num'
     'ber, but the formula gives a condition in `sales > 1`')
case("applies_to an unknown component", HEAD + SALES
     + "modifiers:\n  - id: m\n    multiplier: 1.1\n    applies_to: [sals]\n",
     F + ":17: modifiers[0].applies_to[0]: expected 'plan' or component ids,"
     " found 'sals'; did you mean 'sales'?")

# -- target, rounding, limits --------------------------------------------------------------
case("salary share written as a plain number",
     HEAD.replace("{amount: 1000}", "{salary_share: 12}") + SALES,
     F + ':5: target_incentive.salary_share: expected a share of salary betw'
     'een 0 and 100% (like 12%), found 12: write 12% or 0.12')
case("rounding step too fine", HEAD + "rounding: {step: 0.0000001}\n" + SALES,
     F + ':6: rounding.step: expected a positive step with at most 6 decimal'
     's, found 0.0000001')
case("amount cap off the rounding grid",
     HEAD + "limits: {cap_amount: 1000.005}\n" + SALES,
     F + ':6: limits.cap_amount: the cap 1000.005 is not a multiple of the r'
     'ounding step 0.01')

# -- formulas ------------------------------------------------------------------------------
case("undefined name", formula("valeu * 2"),
     F + ":10: components[0].formula: a formula: unknown name 'valeu'; did y"
     "ou mean 'value'? (at column 1) in `valeu * 2`")
case("__import__", formula("__import__('os').system('true')"),
     F + ":10: components[0].formula: a formula: names may not start with '_"
     "' ('__import__') (at column 1) in `__import__('os').system('true')"
     '`')
case("().__class__", formula("().__class__"),
     F + ":10: components[0].formula: a formula: '.' is not allowed: there i"
     's no attribute access in formulas (at column 3) in `().__class__`')
case("attribute access", formula("value.real"),
     F + ":10: components[0].formula: a formula: '.' is not allowed: there i"
     's no attribute access in formulas (at column 6) in `value.real`')
case("9**9**9", formula("9**9**9"),
     F + ':10: components[0].formula: a formula: the exponent of ** must be '
     'a plain number between -10 and 10 (at column 5) in `9**9**9`')
case("1,000 nested parentheses", formula(NESTED_1000),
     F + ':10: components[0].formula: a formula: the formula is 2005 charact'
     'ers long; at most 1000 are allowed in `((((((((((((((((((((((((((('
     '((((((((((((((((((((((((((((((((((((((((((((((((((...`')
case("400 nested parentheses", formula(NESTED_400),
     F + ':10: components[0].formula: a formula: the formula is nested more '
     'than 30 levels deep (at column 31) in `((((((((((((((((((((((((((('
     '((((((((((((((((((((((((((((((((((((((((((((((((((...`')
case("exponent that is not a constant", formula("value ** value"),
     F + ':10: components[0].formula: a formula: the exponent of ** must be '
     'a plain number between -10 and 10 (at column 10) in `value ** valu'
     'e`')
case("text compared with a number", formula("if(segment > 3, 1, 0)"),
     F + ':10: components[0].formula: a formula: cannot compare a text with '
     'a number (at column 12) in `if(segment > 3, 1, 0)`')
case("wrong number of arguments", formula("clip(value, 0)"),
     F + ':10: components[0].formula: a formula: clip() takes 3 argument(s),'
     ' got 2 (at column 1) in `clip(value, 0)`')
case("unknown function", formula("clamp(value, 0, 1)"),
     F + ':10: components[0].formula: a formula: unknown function clamp(); d'
     'id you mean clip()? (at column 1) in `clamp(value, 0, 1)`')
case("chained comparison", formula("if(0 < value < 1, 1, 0)"),
     F + ':10: components[0].formula: a formula: comparisons do not chain; w'
     "rite 'a < b and b < c' (at column 14) in `if(0 < value < 1, 1, 0)`")
case("unclosed parenthesis", formula("min(value, 1"),
     F + ":10: components[0].formula: a formula: expected ',' or ')' in the "
     'call of min(), found the end of the formula (at column 13) in `min'
     '(value, 1`')
case("empty formula", formula(" "),
     F + ":10: components[0].formula: expected a formula (a text), found ' '")


# -- commissions, accelerator gates, ramps ---------------------------------------------------
COMMISSION = ("commission:\n  mode: marginal\n  rows:\n    - {from: 0, to: 1000, rate: 1%}\n"
              "    - {from: 1000, rate: 2%}")


def commission(body: str = COMMISSION, metric: str = "amount", extra: str = "") -> str:
    """A single commission component ``c`` (no weight) with ``body`` (indented 4)."""
    lines = "".join(f"    {line}\n" for line in body.strip("\n").split("\n"))
    return HEAD + "components:\n  - id: c\n    metric: " + metric + "\n" + lines + extra


case("commission rate without %", commission(COMMISSION.replace("rate: 2%", "rate: 3")),
     F + ":13: components[0].commission.rows[1].rate: a commission rate of 3 would pay 300 % "
     "of the amount; write 3% (= 0.03) for 3 %")
case("commission on a ratio", commission(metric="sales_attainment"),
     F + ":9: components[0].commission: a commission is paid on an amount: metric "
     "'sales_attainment' gives a ratio, not a currency amount (use the `amount` metric)")
case("commission with a weight", commission("weight: 100\n" + COMMISSION),
     F + ":9: components[0].weight: a commission pays rate x amount, not a share of the "
     "target incentive: leave out `weight`")
case("commission paid at target", commission("missing: at_target\n" + COMMISSION),
     F + ":9: components[0].missing: a commission has no target to pay at: use exclude, "
     "zero or hold")
case("commission with a cap", commission("cap: 150%\n" + COMMISSION),
     F + ":9: components[0].cap: `cap` bounds a factor of the target; a commission pays "
     "rate x amount (limit the payout with limits.cap_amount)")
case("attainment basis without attainment",
     commission(COMMISSION.replace("mode: marginal", "mode: marginal\n  basis: attainment")),
     F + ":9: components[0].commission.attainment: basis: attainment needs `attainment:` "
     "naming the component that gives the attainment (a ratio), found nothing")
case("each transaction on attainment", commission(COMMISSION.replace(
    "mode: marginal", "mode: flat\n  basis: attainment\n  attainment: c\n  rating: transaction")),
     F + ":13: components[0].commission.rating: a transaction has no attainment of its own: "
     "rate each transaction on its amount (basis: amount), or rate the period (rating: "
     "period)")
case("unknown rating unit",
     commission(COMMISSION.replace("mode: marginal", "mode: marginal\n  rating: order")),
     F + ":11: components[0].commission.rating: expected 'period' or 'transaction', found "
     "'order'")
case("accelerator gate on the plan",
     commission(extra="gates:\n  - {id: g, when: 'c > 0', blocks: accelerator}\n"),
     F + ":15: gates[0].blocks: a gate that blocks the accelerator applies to components: "
     "list them under applies_to")
case("quota ramp on an amount", commission(
    extra="ramp:\n  applies_to: quota\n  periods: [50%]\n  components: [c]\n"),
     F + ":17: ramp.components[0]: component 'c' gives a currency, not an attainment (a "
     "ratio): only attainment has a quota")
case("ramp factor above 100 %", commission(
    extra="ramp:\n  applies_to: target_incentive\n  periods: [150%]\n"),
     F + ":16: ramp.periods[0]: expected a ramp factor (like 50%) between 0 and 1, found 150%")
