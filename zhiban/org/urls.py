from django.urls import path

from zhiban.org import views
from zhiban.org.views import picker

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("delegations/", views.my_delegations, name="my_delegations"),
    path("picker/people/", picker.picker_people, name="picker_people"),
    path("picker/departments/", picker.picker_departments, name="picker_departments"),
    path(
        "delegations/<int:delegation_id>/end/",
        views.delegation_end,
        name="delegation_end",
    ),
    path("manage/", views.admin_home, name="admin_home"),
    path("manage/units/", views.unit_list, name="unit_list"),
    path("manage/units/new/", views.unit_create, name="unit_create"),
    path("manage/units/<int:unit_id>/", views.unit_edit, name="unit_edit"),
    path("manage/departments/", views.department_list, name="department_list"),
    path("manage/departments/new/", views.department_create, name="department_create"),
    path(
        "manage/departments/<int:department_id>/",
        views.department_edit,
        name="department_edit",
    ),
    path(
        "manage/departments/<int:department_id>/move/",
        views.department_move,
        name="department_move",
    ),
    path(
        "manage/departments/<int:department_id>/leader/",
        views.department_leader,
        name="department_leader",
    ),
    path("manage/posts/", views.post_list, name="post_list"),
    path("manage/posts/new/", views.post_create, name="post_create"),
    path("manage/posts/<int:post_id>/", views.post_edit, name="post_edit"),
    path("manage/posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("manage/users/", views.user_list, name="user_list"),
    path("manage/users/new/", views.user_create, name="user_create"),
    path("manage/users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("manage/users/<int:user_id>/roles/", views.user_roles, name="user_roles"),
    path(
        "manage/users/<int:user_id>/deactivate/",
        views.user_deactivate,
        name="user_deactivate",
    ),
    path(
        "manage/users/<int:user_id>/reactivate/",
        views.user_reactivate,
        name="user_reactivate",
    ),
    path(
        "manage/users/<int:user_id>/memberships/",
        views.membership_set,
        name="membership_set",
    ),
    path(
        "manage/memberships/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("manage/delegations/", views.delegation_admin, name="delegation_admin"),
    path("manage/calendar/", views.calendar, name="calendar"),
    path(
        "manage/calendar/<int:override_id>/delete/",
        views.calendar_delete,
        name="calendar_delete",
    ),
    path("manage/import/", views.import_page, name="import"),
    path("manage/import/template.xlsx", views.import_template, name="import_template"),
]
