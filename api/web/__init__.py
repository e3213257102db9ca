"""The web page for the partner who is not at the voice station: listen, read, answer.

``web_router(settings)`` returns the pages as an ``APIRouter`` for ``create_app`` to include
beside ``/api``; templates are in ``api/templates`` and assets in ``api/static``.
"""

from confide.api.web.routes import web_router

__all__ = ["web_router"]
