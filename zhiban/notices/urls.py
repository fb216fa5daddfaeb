from django.urls import path

from zhiban.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/edit/", views.notice_edit, name="edit"),
    path("<int:pk>/read/", views.notice_read, name="read"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<int:pk>/pin/", views.notice_pin, name="pin"),
    path("<int:pk>/unpin/", views.notice_unpin, name="unpin"),
    path("<int:pk>/receipts/", views.notice_receipts, name="receipts"),
    path("<int:pk>/remind/", views.notice_remind, name="remind"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
]
