from django.urls import URLPattern, URLResolver, path

from kepling.workers import subject_views, views

app_name = "workers"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.worker_list, name="list"),
    path("beranda/", views.kepling_home, name="kepling_home"),
    path("daftar/", views.register, name="register"),
    path("cek-nik/", views.check_nik_json, name="check_nik"),
    path("iuran/", views.contribution_json, name="contribution"),
    path("subjek/", subject_views.subject_request, name="subject"),
    path("<int:worker_id>/", views.worker_detail, name="detail"),
    path("<int:worker_id>/nik/", views.worker_reveal_nik, name="reveal_nik"),
]
