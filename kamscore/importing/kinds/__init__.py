"""The import kinds, in the order in which a complete organisation is imported."""

from __future__ import annotations

from kamscore.importing.base import Importer
from kamscore.importing.kinds.accounts import (
    AccountImporter,
    AssignmentImporter,
    StakeholderImporter,
)
from kamscore.importing.kinds.facts import FactImporter
from kamscore.importing.kinds.org import PersonImporter, TeamImporter
from kamscore.importing.kinds.periods import PeriodImporter, ProductImporter, ProductPhaseImporter
from kamscore.importing.kinds.plans import PlanImporter

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
