from django.urls import path

from dangjian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
]
from dangjian.accounts import admin_views  # noqa: E402

urlpatterns += [path("users/", admin_views.users, name="users")]
