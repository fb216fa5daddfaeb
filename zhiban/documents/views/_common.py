"""What the document pages share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest

PAGE_SIZE = 25


def user_of(request: HttpRequest) -> Any:
    return request.user


def partial_for(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if getattr(request, "htmx", False) else template


def show_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields (or above it)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)
