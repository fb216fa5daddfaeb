from django.urls import path

from zhiban.workflow.views import (
    apply,
    designer,
    form_designer,
    instances,
    manage,
    reassign,
    tasks,
)

app_name = "workflow"
urlpatterns = [
    path("instances/<int:pk>/", instances.instance_detail, name="instance_detail"),
    # My requests, my tasks, the instance's actions, files and printout ("pages").
    path("mine/", tasks.mine, name="mine"),
    path("tasks/", tasks.tasks, name="tasks"),
    path("instances/<int:pk>/act/", instances.instance_act, name="instance_act"),
    path("instances/<int:pk>/edit/", apply.instance_edit, name="instance_edit"),
    path("instances/<int:pk>/print.pdf", instances.instance_pdf, name="instance_pdf"),
    path("files/<int:pk>/", instances.instance_file, name="file"),
    # Starting an approval (helper "forms").
    path("apply/", apply.apply_list, name="apply"),
    path("apply/<slug:code>/", apply.apply_form, name="apply_form"),
    path("apply/<slug:code>/preview/", apply.apply_preview, name="apply_preview"),
    # The form designer (helper "forms").
    path("manage/flows/<slug:code>/form/", form_designer.flow_form, name="flow_form"),
    path(
        "manage/flows/<slug:code>/form/preview/",
        form_designer.flow_form_preview,
        name="flow_form_preview",
    ),
    # Flow administration and the designer (helper "designer").
    path("manage/flows/", manage.flow_list, name="flow_list"),
    path("manage/held-tasks/", reassign.held_tasks, name="held_tasks"),
    path("tasks/<int:pk>/reassign/", reassign.reassign, name="task_reassign"),
    path("manage/flows/new/", manage.flow_create, name="flow_create"),
    path("manage/people/", designer.flow_people, name="flow_people"),
    path("manage/flows/<slug:code>/", manage.flow_settings, name="flow_settings"),
    path("manage/flows/<slug:code>/copy/", manage.flow_copy, name="flow_copy"),
    path("manage/flows/<slug:code>/active/", manage.flow_active, name="flow_active"),
    path(
        "manage/flows/<slug:code>/versions/", manage.flow_versions, name="flow_versions"
    ),
    path(
        "manage/flows/<slug:code>/versions/<int:number>/",
        designer.flow_version_detail,
        name="flow_version_detail",
    ),
    path("manage/flows/<slug:code>/design/", designer.flow_design, name="flow_design"),
    path(
        "manage/flows/<slug:code>/design/save/",
        designer.flow_design_save,
        name="flow_design_save",
    ),
    path(
        "manage/flows/<slug:code>/design/validate/",
        designer.flow_design_validate,
        name="flow_design_validate",
    ),
    path(
        "manage/flows/<slug:code>/design/dry-run/",
        designer.flow_design_dry_run,
        name="flow_design_dry_run",
    ),
    path(
        "manage/flows/<slug:code>/design/publish/",
        designer.flow_design_publish,
        name="flow_design_publish",
    ),
]
