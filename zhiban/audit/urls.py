from django.urls import path

from zhiban.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.list, name="list"),
]
