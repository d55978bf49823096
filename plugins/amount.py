"""Amount: net sales (or any credited revenue fact) in currency, with its transactions.

The amount a commission is paid on. A KAM is credited with ``weight = days assigned in the
period / days in the period * share`` of each fact about his accounts (as for sales
attainment), and with the whole of each fact about himself (a fact with a person and no
account):

    amount = Σ weight * value          (currency: the plan's)

Each credited fact is one **transaction** (item) of the amount: an order or deal when the
facts are given one per ``item`` (the import's ``item`` column), else the account's figure
for the period. A commission that rates each transaction on its own (``rating:
transaction``) rates these items, each at its credited value (a deal shared 50/50 is rated
at half its value for each KAM). ``fact`` chooses the fact (``net_sales`` by default;
``credited_revenue`` or any other amount), ``products`` narrows it to some products.

No data when the KAM had no account and no fact about himself, or none of it reported the
fact.
"""

import numpy as np
from marshmallow import Schema, fields, validate

from kamscore import Metric, MetricResult, hookimpl
from kamscore.metrics.needs import FactNeeds


class Amount(Metric):
    name = "amount"
    title = "Amount (net sales)"
    kind = "quantitative"
    unit = "currency"
    direction = "higher"
    version = "1"
    facts = ("net_sales",)
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    class Params(Schema):
        fact = fields.String(load_default="net_sales",
                             validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"),
                             metadata={"description": "the amount fact (net_sales, "
                                                      "credited_revenue, ...)"})
        products = fields.List(fields.String(), load_default=None,
                               metadata={"description": "only these product codes"})

    @classmethod
    def fact_needs(cls, params):
        return FactNeeds.of((params["fact"],), (), ())

    def compute(self, ctx, params):
        cols = ctx.facts.select(params["fact"])
        size = len(ctx.kams)
        keep = ~np.isnan(cols.value)
        if params["products"] is not None:
            keep &= np.isin(cols.product, np.asarray(params["products"], dtype=object))
        rows = np.flatnonzero(keep & (cols.account >= 0))
        # every (assignment, fact row of its account) pair, without a loop per KAM
        a = ctx.assignments
        order = rows[np.argsort(cols.account[rows], kind="stable")]
        counts = np.bincount(cols.account[order], minlength=len(ctx.accounts))
        starts = np.concatenate(([0], np.cumsum(counts)))
        per = counts[a.account] if len(a) else np.zeros(0, dtype=np.int64)
        pair_assignment = np.repeat(np.arange(len(a)), per)
        offsets = np.arange(len(pair_assignment)) - np.repeat(np.cumsum(per) - per, per)
        pair_row = order[starts[a.account[pair_assignment]] + offsets] if len(
            pair_assignment) else np.zeros(0, dtype=np.int64)
        owner = a.kam[pair_assignment] if len(a) else np.zeros(0, dtype=np.int64)
        value = a.weight[pair_assignment] * cols.value[pair_row] if len(a) else np.zeros(0)
        # facts about the KAM himself: wholly his
        person_rows = np.flatnonzero(keep & (cols.account < 0))
        person_pos = np.array([ctx.kams.index.get(p, -1) if p is not None else -1
                               for p in cols.person[person_rows]], dtype=np.int64)
        person_rows, person_pos = person_rows[person_pos >= 0], person_pos[person_pos >= 0]
        owner = np.concatenate((owner, person_pos)).astype(np.int64)
        value = np.concatenate((value, cols.value[person_rows]))
        source = np.concatenate((pair_row, person_rows)).astype(np.int64)
        total = np.bincount(owner, weights=value, minlength=size)
        count = np.bincount(owner, minlength=size)
        amount = np.where(count > 0, total, np.nan)
        reasons = np.where(count > 0, None, np.where(
            ctx.credit(np.zeros(len(ctx.accounts))).accounts == 0,
            "no account assigned in the period",
            f"no {params['fact']} reported for the assigned accounts"))
        return MetricResult.from_arrays(
            ctx.kams.codes, amount,
            inputs={"transactions": _listing(ctx, cols, owner, value, source, size)},
            reasons=reasons.tolist(), items=(owner, value),
        )


def _listing(ctx, cols, owner, value, source, size):
    """Per KAM, his transactions as statement inputs: item (or account), credited amount."""
    out = np.empty(size, dtype=object)
    for i in range(size):
        out[i] = []
    accounts = ctx.accounts.codes
    items = cols.item
    for k, amount, row in zip(owner.tolist(), value.tolist(), source.tolist(), strict=True):
        account = int(cols.account[row])
        out[k].append({
            "item": items[row] if items is not None else None,
            "account": accounts[account] if account >= 0 else None,
            "amount": round(amount, 6),
        })
    return out


@hookimpl
def kamscore_register_metrics():
    return [Amount]
