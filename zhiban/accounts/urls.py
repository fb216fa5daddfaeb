from django.urls import path

from zhiban.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.ZhibanLoginView.as_view(), name="login"),
    path("logout/", views.ZhibanLogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language"),
    path("preferences/", views.preferences, name="preferences"),
    path("password/", views.password_change, name="password_change"),
    path("api-token/", views.api_token_regenerate, name="api_token"),
]
