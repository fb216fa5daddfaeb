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
    path("clocks/", views.profile_list, name="profiles"),
    path("clocks/new/", views.profile_edit, name="profile_create"),
    path("clocks/<int:pk>/", views.profile_edit, name="profile_edit"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path(
        "inspections/photos/<int:pk>/", views.inspection_photo, name="inspection_photo"
    ),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.item_act, name="act"),
    path("files/<int:pk>/", views.item_file, name="file"),
]
