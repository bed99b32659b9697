from django.contrib.auth import views as auth_views
from django.urls import path

from kepling.accounts import account_pages, people, views

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.SignInView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.password_change, name="password_change"),
    path("akun/kepling/", people.kepling_accounts, name="kepling_accounts"),
    path("akun/kepling/<int:user_id>/sandi-baru/", people.new_one_time_password, name="new_one_time_password"),
    path("akun/serah-terima/", people.hand_over, name="hand_over"),
    path("akun/pengguna/", account_pages.account_list, name="account_list"),
    path("akun/pengguna/baru/", account_pages.account_new, name="account_new"),
    path("akun/pengguna/<int:user_id>/", account_pages.account_detail, name="account_detail"),
    path("akun/pengguna/<int:user_id>/peran/", account_pages.account_role, name="account_role"),
    path("akun/pengguna/<int:user_id>/aktif/", account_pages.account_active, name="account_active"),
    path("akun/pengguna/<int:user_id>/sandi-baru/", account_pages.account_password, name="account_password"),
]
