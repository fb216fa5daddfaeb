from django.urls import path

from zhiban.workflow.views import instances

app_name = "workflow"
urlpatterns = [
    path("instances/<int:pk>/", instances.instance_detail, name="instance_detail"),
]
