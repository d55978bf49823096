"""kamscore: key account management incentive scoring.

``create_app`` builds the Flask application; ``hookimpl`` is all a metric plugin imports.
Importing this package has no side effects: nothing connects, registers or reads files.
"""

from .factory import create_app
from .hookspecs import hookimpl

__all__ = ["create_app", "hookimpl"]
__version__ = "0.1.0"
