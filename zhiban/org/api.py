"""Read-only REST endpoints of the organisation, on the same selectors as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiban.org import selectors
from zhiban.org.models import Department, Membership, Unit, User


class UnitSerializer(serializers.ModelSerializer):
    """A unit of the group."""

    class Meta:
        model = Unit
        fields = ("id", "code", "name", "short_name", "kind", "parent", "sort_order")


class DepartmentSerializer(serializers.ModelSerializer):
    """A department with its unit, parent and overseeing leader (ids)."""

    class Meta:
        model = Department
        fields = (
            "id",
            "code",
            "name",
            "unit",
            "parent",
            "overseeing_leader",
            "sort_order",
        )


class DepartmentTreeSerializer(serializers.Serializer):
    """A department with its sub-departments, nested."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField())


class UnitTreeSerializer(serializers.Serializer):
    """A unit with its subordinate units and its departments, nested."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    departments = DepartmentTreeSerializer(many=True)
    children = serializers.ListField(child=serializers.DictField())


class MembershipSerializer(serializers.ModelSerializer):
    """A person's place in a department."""

    department_name = serializers.CharField(source="department.name")

    class Meta:
        model = Membership
        fields = ("department", "department_name", "title", "is_head", "is_deputy")


class DirectoryUserSerializer(serializers.ModelSerializer):
    """A person as the directory shows them: no credentials, no permissions."""

    display_name = serializers.CharField()
    memberships = MembershipSerializer(many=True)

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "employee_number",
            "display_name",
            "title",
            "mobile",
            "email",
            "primary_department",
            "memberships",
        )


def _department_tree(node: selectors.DepartmentNode) -> dict[str, Any]:
    dept = node.department
    return {
        "id": dept.pk,
        "code": dept.code,
        "name": dept.name,
        "children": [_department_tree(child) for child in node.children],
    }


def _unit_tree(node: selectors.UnitNode) -> dict[str, Any]:
    unit = node.unit
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "departments": [_department_tree(d) for d in node.departments],
        "children": [_unit_tree(child) for child in node.children],
    }


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Active units of the group."""

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        return selectors.unit_list_for(viewer=cast(User, self.request.user)).filter(
            is_active=True
        )


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Active departments; `tree/` gives units and departments nested."""

    serializer_class = DepartmentSerializer

    def get_queryset(self) -> QuerySet[Department]:
        return selectors.department_list_for(
            viewer=cast(User, self.request.user)
        ).filter(is_active=True)

    @extend_schema(responses=UnitTreeSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def tree(self, request: Request) -> Response:
        """Return the whole tree: units with their departments, nested."""
        return Response([_unit_tree(node) for node in selectors.org_tree()])


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Name, employee number, mobile or department name.",
            ),
            OpenApiParameter(
                "department", OpenApiTypes.INT, description="Department id."
            ),
        ]
    )
)
class DirectoryUserViewSet(viewsets.ReadOnlyModelViewSet):
    """Active people of the directory, searchable."""

    serializer_class = DirectoryUserSerializer

    def get_queryset(self) -> QuerySet[User]:
        department = None
        raw = self.request.query_params.get("department", "")
        if self.action == "list" and raw:
            if not raw.isdigit():
                raise NotFound
            department = selectors.department_get_for(
                viewer=cast(User, self.request.user), department_id=int(raw)
            )
            if department is None:
                raise NotFound
        query = self.request.query_params.get("q", "")[:100]
        if self.action != "list":
            query = ""
        return selectors.user_directory_for(
            viewer=cast(User, self.request.user), query=query, department=department
        )


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("org/units", UnitViewSet, basename="org-unit")
    router.register("org/departments", DepartmentViewSet, basename="org-department")
    router.register("org/users", DirectoryUserViewSet, basename="org-user")
