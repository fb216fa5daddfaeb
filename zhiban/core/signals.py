"""Forget cached layout pieces when what they show changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save

from zhiban.core.navigation import nav_cache_clear


def _user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    nav_cache_clear(user_id=instance.pk)


def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not reverse:  # user.groups.add/remove/clear/set
        if action in ("post_add", "post_remove", "post_clear"):
            nav_cache_clear(user_id=instance.pk)
        return
    # group.user_set.add/remove/clear: the group is the instance.
    if action in ("post_add", "post_remove"):
        user_ids = list(pk_set or ())
    elif action == "pre_clear":
        user_ids = list(instance.user_set.values_list("pk", flat=True))
    else:
        return
    for user_id in user_ids:
        nav_cache_clear(user_id=user_id)


def connect() -> None:
    """Connect the receivers (called once from CoreConfig.ready)."""
    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="zhiban-nav-user")
    m2m_changed.connect(
        _groups_changed,
        sender=user_model.groups.through,
        dispatch_uid="zhiban-nav-groups",
    )
