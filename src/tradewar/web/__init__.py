"""The web service: a FastAPI JSON API over the library (scenarios, games) and a dashboard page (`tradewar serve`)."""

from tradewar.web.app import create_app

__all__ = ["create_app"]
