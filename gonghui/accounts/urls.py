from django.contrib.auth import views as auth_views
from django.urls import path

from gonghui.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("totp/", views.totp_setup, name="totp"),
    path("roles/", views.roles, name="roles"),
    path("users/new/", views.user_new, name="user_new"),
    path("roles/<int:pk>/revoke/", views.role_remove, name="role_revoke"),
]
