"""The site's URLs plus one plain page on the layout that reads nothing itself.

The layout's own tests (queries, language, headers) need a page whose cost is only the
layout's: every product page reads its own data, and that would blur what they measure.
"""

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import TemplateView

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

PLAIN_PAGE = "/layout-probe/"

urlpatterns = [
    *urlpatterns,
    path(
        PLAIN_PAGE.strip("/") + "/",
        login_required(TemplateView.as_view(template_name="base.html")),
    ),
]
