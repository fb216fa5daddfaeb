from django.urls import path

from zhiban.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("export.xlsx", views.item_export, name="export"),
    path("new/", views.item_create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("assessment/", views.assessment, name="assessment"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.item_act, name="act"),
    path("files/<int:pk>/", views.item_file, name="file"),
]
