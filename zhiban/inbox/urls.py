from django.urls import path

from zhiban.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.work_item_list, name="list"),
    path("<int:pk>/", views.work_item_open, name="open"),
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        views.notification_read_all,
        name="notification_read_all",
    ),
    path("unread-badge/", views.unread_badge, name="unread_badge"),
]
