"""Login and own account; user and role management for the security administrator."""

from django.urls import path

from dangjian.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("users/", admin_views.users, name="users"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<int:pk>/", admin_views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", admin_views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", admin_views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", admin_views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/unlock/", admin_views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password/", admin_views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/grants/new/", admin_views.grant_create, name="grant_create"),
    path("grants/<int:pk>/revoke/", admin_views.grant_revoke, name="grant_revoke"),
    path("org-options/", admin_views.org_options, name="org_options"),
]
