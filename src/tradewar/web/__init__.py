"""The web service: a FastAPI JSON API over `tradewar.api` and a dashboard page (`tradewar serve`)."""

from tradewar.web.app import create_app

__all__ = ["create_app"]
