"""What the portal home page offers besides the to-do centre: the quick links to apply."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class QuickLink:
    """A tile on the home page that starts an application in a module.

    A tile is added when its module is built: it never leads to a form that does nothing.
    """

    key: str
    label: str | Promise
    icon: str
    module: str | Promise
    url_name: str
    url_args: tuple[str, ...] = ()

    @property
    def href(self) -> str:
        """Return where the tile leads: the module's page that starts the application."""
        return reverse(self.url_name, args=self.url_args)


QUICK_LINKS: tuple[QuickLink, ...] = (
    # The default flows of the seals, vehicles and workflow apps (their data migrations).
    QuickLink(
        "seal",
        _("Seal use request"),
        "bi-patch-check",
        _("Approvals"),
        "workflow:apply_form",
        ("seal_use",),
    ),
    QuickLink(
        "vehicle",
        _("Vehicle request"),
        "bi-car-front",
        _("Fleet"),
        "workflow:apply_form",
        ("vehicle_use",),
    ),
    # The availability board: pick a free slot, then book it.
    QuickLink(
        "room",
        _("Book a meeting room"),
        "bi-calendar2-week",
        _("Meetings"),
        "meetings:board",
    ),
    QuickLink(
        "request",
        _("General request"),
        "bi-file-earmark-text",
        _("Approvals"),
        "workflow:apply_form",
        ("request",),
    ),
)
