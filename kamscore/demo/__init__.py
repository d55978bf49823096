"""The demo: a realistic, seeded KAM organisation generated straight into the database.

``prepare_demo(session, DemoSpec(size=1, seed=42))`` builds about 40 KAMs in 8 account teams,
300 accounts, two years of quarterly facts, account plans and sign-in users; ``size`` scales
everything linearly (250 gives 10,000 KAMs). The same spec always builds the same data.
"""

from kamscore.demo.build import (
    DemoError,
    DemoSummary,
    build_demo,
    clear_database,
    is_empty,
    prepare_demo,
)
from kamscore.demo.spec import DemoSpec
from kamscore.demo.users import DEMO_PASSWORD

__all__ = [
    "DEMO_PASSWORD",
    "DemoError",
    "DemoSpec",
    "DemoSummary",
    "build_demo",
    "clear_database",
    "is_empty",
    "prepare_demo",
]
