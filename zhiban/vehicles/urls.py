from django.urls import path

from zhiban.vehicles import views

app_name = "vehicles"
urlpatterns = [
    path("requests/", views.request_list, name="requests"),
]
