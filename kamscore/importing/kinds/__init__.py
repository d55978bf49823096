"""The import kinds, in the order in which a complete organisation is imported."""

from __future__ import annotations

from ..base import Importer
from .accounts import AccountImporter, AssignmentImporter, StakeholderImporter
from .facts import FactImporter
from .org import PersonImporter, TeamImporter
from .periods import PeriodImporter, ProductImporter, ProductPhaseImporter
from .plans import PlanImporter

#: kind → importer class (an importer keeps state for one import: make a new one each time)
IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (
        PeriodImporter,
        ProductImporter,
        ProductPhaseImporter,
        PersonImporter,
        TeamImporter,
        AccountImporter,
        AssignmentImporter,
        StakeholderImporter,
        FactImporter,
        PlanImporter,
    )
}
