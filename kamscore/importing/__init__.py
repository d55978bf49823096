"""CSV imports: one marshmallow row schema per kind, natural keys resolved in batches,
all-or-nothing (a file with any bad row writes nothing and lists every bad row), idempotent
(upsert by natural key), and refused where they would change a closed period.

Entry point: :func:`import_csv`. The CLI (``kamscore import``) and the API
(``POST /api/v1/imports/<kind>``) both call it.
"""

from kamscore.importing.changes import Counts
from kamscore.importing.errors import ImportRejected, RowError
from kamscore.importing.service import (
    ImportReport,
    UnknownKind,
    check_kind,
    describe_kinds,
    import_csv,
    import_file,
    import_kinds,
)

__all__ = [
    "Counts",
    "ImportRejected",
    "ImportReport",
    "RowError",
    "UnknownKind",
    "check_kind",
    "describe_kinds",
    "import_csv",
    "import_file",
    "import_kinds",
]
