from django.urls import path

from zhiban.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.board, name="board"),
    path("book/", views.book, name="book"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/change/", views.booking_change, name="booking_change"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("series/<int:pk>/cancel/", views.series_cancel, name="series_cancel"),
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/new/", views.room_edit, name="room_create"),
    path("rooms/<int:pk>/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/photo/", views.room_photo, name="room_photo"),
]
