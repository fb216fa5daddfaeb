"""REST endpoints of this app; registered on the one API router."""

from __future__ import annotations

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
