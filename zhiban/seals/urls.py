from django.urls import path
from django.views.generic import RedirectView

from zhiban.seals import views

app_name = "seals"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="seals:ledger"), name="home"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("uses/<int:pk>/stamp/", views.stamp, name="stamp"),
    path("uses/<int:pk>/scan/", views.scan, name="scan"),
    path("register/", views.register, name="register"),
    path("register/new/", views.seal_create, name="seal_create"),
    path("register/<int:pk>/edit/", views.seal_edit, name="seal_edit"),
    path("register/<int:pk>/active/", views.seal_active, name="seal_active"),
]
