from django.urls import path

from zhiban.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.list, name="list"),
    path("notifications/", views.notifications, name="notifications"),
    path("unread-badge/", views.unread_badge, name="unread_badge"),
]
