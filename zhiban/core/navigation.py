"""The left navigation: one list of entries, filtered by the user's roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhiban.org.models import Role, User


@dataclass(frozen=True)
class NavEntry:
    """One link of the navigation."""

    key: str
    label: str | Promise
    url_name: str
    icon: str
    roles: tuple[str, ...] = ()  # empty: everyone signed in
    staff_only: bool = False


ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("home", _("Home"), "core:home", "bi-house"),
    NavEntry("inbox", _("To-do"), "inbox:list", "bi-inbox"),
    NavEntry("approvals", _("Approvals"), "workflow:apply", "bi-check2-square"),
    NavEntry("notices", _("Notices"), "notices:list", "bi-megaphone"),
    # Everyone: a department sees its own documents, the office's clerks the registers.
    NavEntry("documents", _("Documents"), "documents:register", "bi-file-earmark-text"),
    # Everyone: a department answers for its items, the office runs them all.
    NavEntry("supervision", _("Supervision"), "supervision:list", "bi-flag"),
    # Everyone books meeting rooms; the office keeps the rooms from the board.
    NavEntry("meetings", _("Meetings"), "meetings:board", "bi-calendar-week"),
    # Seal keepers hold no role: everyone sees the entry, and the ledger shows each
    # person their subset (kept seals, headed departments, own requests).
    NavEntry("seals", _("Seal use"), "seals:ledger", "bi-patch-check"),
    NavEntry(
        "vehicles",
        _("Vehicle requests"),
        "vehicles:requests",
        "bi-car-front",
        roles=(Role.FLEET_MANAGER, Role.OFFICE_DIRECTOR),
    ),
    NavEntry("org", _("Organisation"), "org:directory", "bi-diagram-3"),
    NavEntry(
        "flows",
        _("Approval flows"),
        "workflow:flow_list",
        "bi-diagram-2",
        roles=(Role.SYSTEM_ADMIN,),
    ),
    # The office director keeps the working calendar without the rest of org admin.
    NavEntry(
        "calendar",
        _("Working calendar"),
        "org:calendar",
        "bi-calendar3",
        roles=(Role.OFFICE_DIRECTOR,),
    ),
    NavEntry(
        "org_admin",
        _("Organisation admin"),
        "org:admin_home",
        "bi-gear",
        roles=(Role.SYSTEM_ADMIN,),
    ),
    NavEntry(
        "audit",
        _("Audit trail"),
        "audit:list",
        "bi-shield-check",
        roles=(Role.SYSTEM_ADMIN,),
    ),
)


def entries_for(user: User) -> list[dict[str, str]]:
    """Return the navigation entries the user may see, with their URLs."""
    visible = []
    for entry in ENTRIES:
        if entry.roles and not any(user.has_role(role) for role in entry.roles):
            continue
        visible.append(
            {
                "key": entry.key,
                "label": str(entry.label),
                "url": reverse(entry.url_name),
                "icon": entry.icon,
            }
        )
    return visible


def nav_cache_key(*, user_id: int, language: str, active: str) -> str:
    """Return the cache key of one user's rendered navigation."""
    return f"zhiban:nav:{user_id}:{language}:{active}"


def nav_cache_clear(*, user_id: int) -> None:
    """Forget every cached rendering of the user's navigation (roles changed)."""
    actives = ["", *(entry.key for entry in ENTRIES)]
    keys = [
        nav_cache_key(user_id=user_id, language=language, active=active)
        for language in settings.SUPPORTED_LANGUAGE_CODES
        for active in actives
    ]
    cache.delete_many([*keys, user_heading_cache_key(user_id=user_id)])


def user_heading_cache_key(*, user_id: int) -> str:
    """Return the cache key of the user's name and department in the top bar."""
    return f"zhiban:user-heading:{user_id}"
