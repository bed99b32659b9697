from django.contrib.auth import views as auth_views
from django.urls import path

from kepling.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.SignInView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.password_change, name="password_change"),
]
