"""The supervision API (电子督查): items and their steps, the dashboard, the assessment.

The same selectors and services as the pages. An item the user may not see is a 404,
a refusal is a 400 by field, a permission refusal a 403, and a refusal because the
item has moved on (another state, signed for already, closed, the node reported,
urged a moment ago) a 409 with its code. Every light in a response comes from one
``lights.light_rule()`` made for the request.
"""

from __future__ import annotations

from rest_framework.routers import BaseRouter

from zhiban.supervision.api.analytics import (
    AssessmentViewSet,
    DashboardViewSet,
    ProfileViewSet,
)
from zhiban.supervision.api.inspections import InspectionViewSet
from zhiban.supervision.api.items import SupervisionItemViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register(
        "supervision-items", SupervisionItemViewSet, basename="supervision-item"
    )
    router.register(
        "supervision-dashboard", DashboardViewSet, basename="supervision-dashboard"
    )
    router.register(
        "supervision-assessment", AssessmentViewSet, basename="supervision-assessment"
    )
    router.register(
        "supervision-profiles", ProfileViewSet, basename="supervision-profile"
    )
    router.register(
        "supervision-inspections", InspectionViewSet, basename="supervision-inspection"
    )
