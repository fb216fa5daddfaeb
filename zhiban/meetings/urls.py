from django.urls import path

from zhiban.meetings import meeting_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.board, name="board"),
    path("book/", views.book, name="book"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/change/", views.booking_change, name="booking_change"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("series/<int:pk>/cancel/", views.series_cancel, name="series_cancel"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path(
        "meetings/<int:pk>/replies/",
        meeting_views.meeting_replies,
        name="meeting_replies",
    ),
    path(
        "meetings/<int:pk>/publish/",
        meeting_views.meeting_publish,
        name="meeting_publish",
    ),
    path("meetings/<int:pk>/reply/", meeting_views.meeting_reply, name="meeting_reply"),
    path(
        "meetings/<int:pk>/cancel/", meeting_views.meeting_cancel, name="meeting_cancel"
    ),
    path(
        "meetings/<int:pk>/change/", meeting_views.meeting_change, name="meeting_change"
    ),
    path("meetings/<int:pk>/minutes/", meeting_views.minutes_edit, name="minutes"),
    path(
        "meetings/<int:pk>/minutes/document/",
        meeting_views.minutes_to_document,
        name="minutes_document",
    ),
    path(
        "meetings/<int:pk>/materials/",
        meeting_views.material_upload,
        name="material_upload",
    ),
    path(
        "meetings/<int:pk>/materials/withdraw/",
        meeting_views.materials_withdraw,
        name="materials_withdraw",
    ),
    path("materials/<int:pk>/", meeting_views.material_view, name="material"),
    path("meetings/<int:pk>/sign-in/", meeting_views.signin_code, name="signin_code"),
    path(
        "meetings/<int:pk>/sign-in/staff/",
        meeting_views.signin_staff,
        name="signin_staff",
    ),
    path("sign-in/", meeting_views.signin, name="signin"),
    path("calendar/", meeting_views.calendar, name="calendar"),
    path(
        "calendar/address/",
        meeting_views.calendar_feed_manage,
        name="calendar_feed_manage",
    ),
    path(
        "calendar/<str:secret>.ics", meeting_views.calendar_feed, name="calendar_feed"
    ),
    path(
        "meetings/<int:pk>/checklist/",
        meeting_views.checklist_apply,
        name="checklist_apply",
    ),
    path("tasks/<int:pk>/done/", meeting_views.checklist_tick, name="checklist_tick"),
    path(
        "meetings/<int:pk>/contingencies/",
        meeting_views.contingency_attach,
        name="contingency_attach",
    ),
    path("attendees/<int:pk>/leave/", meeting_views.leave_decide, name="leave_decide"),
    path(
        "decisions/<int:pk>/item/", meeting_views.decision_to_item, name="decision_item"
    ),
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/new/", views.room_edit, name="room_create"),
    path("rooms/<int:pk>/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/photo/", views.room_photo, name="room_photo"),
]
