from django.urls import path

from zhiban.org import views

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("admin-home/", views.admin_home, name="admin_home"),
]
