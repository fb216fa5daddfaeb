"""Typed readers for the ZHIBAN_* environment variables.

Every variable the project reads is read here and listed in `.env.example`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

PREFIX = "ZHIBAN_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    if not name.startswith(PREFIX):
        raise ValueError(f"{name} must start with {PREFIX}")
    return (os.environ if environ is None else environ).get(name)


def env_str(
    name: str, default: str = "", environ: Mapping[str, str] | None = None
) -> str:
    """Return the variable as a string, or the default when unset."""
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(
    name: str, default: bool = False, environ: Mapping[str, str] | None = None
) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    """Return the variable as an integer."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from error


def env_list(
    name: str,
    default: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Return the variable as a comma-separated list, blanks dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
