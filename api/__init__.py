"""The HTTP API: a thin layer over the journal operations in ``models``.

``create_app(settings)`` builds the app; nothing is created at import time.
"""

from confide.api.app import create_app

__all__ = ["create_app"]
