"""What each audit action code means, in the reader's language.

Services write a stable code (``org.user_create``); the audit pages show its
label. Every app that writes audit entries describes its codes in an
``audit_labels.py`` module with a ``LABELS`` dict (code → lazy translated text);
they are collected once when the audit app is ready. A code with no label is
shown as itself, and a test checks that every code the sources write has one.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise

ACTION_LABELS: dict[str, str | Promise] = {}


def register_action_labels(labels: Mapping[str, str | Promise]) -> None:
    """Add (or replace) labels of audit action codes."""
    ACTION_LABELS.update(labels)


def discover_action_labels() -> None:
    """Import every app's ``audit_labels`` module and register its ``LABELS``."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.audit_labels"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        register_action_labels(getattr(module, "LABELS", {}))


def action_label(code: str) -> str:
    """Return the translated label of an action code, or the code itself."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
