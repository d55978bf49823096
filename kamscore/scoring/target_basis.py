"""What target rounds are built on: figures credited to KAMs, values read and checked, a
total allocated to the cent, and the team each KAM counts in.

Credited figures are those the metrics see (``MetricContext.credit``): a KAM is credited with
``days assigned / days in the period * share`` of each of his accounts' facts; a fact about
the KAM himself of the same name (an approved round's target) replaces what his accounts'
facts of that name add up to, as ``sales_attainment`` reads it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.engine.rounding import CENT
from kamscore.metrics.needs import FactNeeds
from kamscore.models import Period, Role, Team, TeamMember
from kamscore.scoring.errors import InvalidInputError
from kamscore.scoring.evaluation import load_context
from kamscore.texts import _

THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
#: the actual a target is measured against, where a built-in metric says so
ACTUAL_OF = {"sales_target": "net_sales"}


@dataclass(frozen=True)
class Credited:
    """Per KAM code: his name and his credited total of each fact name (absent: none)."""

    names: dict[str, str]
    totals: dict[str, dict[str, float]]


def credited(session: Session, pm: Any, period: Period, fact_names: Collection[str]
             ) -> Credited:
    """The KAMs of ``period`` and their credited totals of ``fact_names``."""
    wanted = sorted(set(fact_names))
    ctx = load_context(session, pm, period, ("kam",), FactNeeds.of(wanted, ()))
    kams = ctx.kams
    totals: dict[str, dict[str, float]] = {str(c): {} for c in kams.codes}
    for name in wanted:
        through_accounts = ctx.credit(ctx.facts.account_totals(name)).total
        own = ctx.facts.person_totals(name, kams.index, len(kams))
        value = np.where(np.isnan(own), through_accounts, own)
        for code, v in zip(kams.codes, value, strict=True):
            if not np.isnan(v):
                totals[str(code)][name] = float(v)
    return Credited({str(c): str(n) for c, n in zip(kams.codes, kams.names, strict=True)},
                    totals)


def parse_amount(text: Any, field: str) -> Decimal:
    """A target as typed or read from a file: a number ≥ 0, kept to the cent (half-even)."""
    raw = str(text if text is not None else "").strip().replace(" ", "")
    if THOUSANDS.match(raw):  # 1,050,000.50 as the pages show amounts
        raw = raw.replace(",", "")
    if not raw:
        raise InvalidInputError(_("%(field)s: a target is needed (a number)", field=field),
                                field=field)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInputError(_("%(field)s: %(text)r is not a number", field=field,
                                  text=raw[:40]), field=field) from None
    if not value.is_finite():
        raise InvalidInputError(_("%(field)s: %(text)r is not a number", field=field,
                                  text=raw[:40]), field=field)
    if value < 0:
        raise InvalidInputError(_("%(field)s: a target cannot be negative (%(text)s)",
                                  field=field, text=raw[:40]), field=field)
    if value >= Decimal("1e14"):
        raise InvalidInputError(_("%(field)s: %(text)s is too large for a target", field=field,
                                  text=raw[:40]), field=field)
    return value.quantize(CENT)


def check_bound(value: Decimal, top_down: Decimal, bound_pct: Decimal, field: str) -> None:
    """Refuse a value further from the top-down one than the round's bound allows."""
    low = top_down * (1 - bound_pct / 100)
    high = top_down * (1 + bound_pct / 100)
    if not max(low, Decimal(0)) <= value <= high:
        raise InvalidInputError(_(
            "%(field)s: %(value)s is more than %(bound)s %% away from the top-down target "
            "%(top_down)s (this round allows %(low)s to %(high)s)", field=field,
            value=f"{value:,.2f}", bound=f"{bound_pct.normalize():f}", top_down=f"{top_down:,.2f}",
            low=f"{max(low, Decimal(0)):,.2f}", high=f"{high:,.2f}"), field=field)


def allocate(total: Decimal, weights: Mapping[str, float]) -> dict[str, Decimal]:
    """``total`` split in proportion to ``weights``, to the cent, adding up to ``total``
    exactly: each gets the cents of his share rounded down, and the cents left over go one
    each to the largest remainders (ties: code order)."""
    usable = {k: float(w) for k, w in weights.items() if math.isfinite(w) and w > 0}
    whole = sum(usable.values())
    if whole <= 0:
        raise InvalidInputError("the key is zero for every KAM: nothing to allocate by",
                                field="key")
    cents = int((total / CENT).to_integral_value())
    exact = {k: Decimal(cents) * Decimal(w) / Decimal(whole) for k, w in usable.items()}
    floors = {k: int(v.to_integral_value(rounding=ROUND_FLOOR)) for k, v in exact.items()}
    left = cents - sum(floors.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))[:left]:
        floors[k] += 1
    return {k: Decimal(c) * CENT for k, c in sorted(floors.items())}


def kam_teams(session: Session, kam_ids: Collection[int]) -> dict[int, Team]:
    """The team each KAM counts in: the team he leads, else the first (by code) he serves
    in as a KAM — as score runs and the team pages count him."""
    ids = set(kam_ids)
    if not ids:
        return {}
    found: dict[int, Team] = {}
    for team in session.scalars(select(Team).where(Team.lead_id.in_(ids)).order_by(Team.code)):
        found.setdefault(team.lead_id, team)  # type: ignore[arg-type]
    rows = session.execute(
        select(TeamMember.person_id, Team).join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.person_id.in_(ids), TeamMember.function == Role.KAM)
        .order_by(Team.code)).all()
    for person_id, team in rows:
        found.setdefault(person_id, team)
    return found
