from django.urls import path

from zhiban.workflow import views

app_name = "workflow"
urlpatterns = [
    path("instances/<int:pk>/", views.instance_detail, name="instance_detail"),
]
