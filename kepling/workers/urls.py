from django.urls import URLPattern, URLResolver, path

from kepling.workers import correction_views, subject_views, views

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
    path("<int:worker_id>/ubah/", correction_views.correct, name="correct"),
    path("<int:worker_id>/ubah/kontak/", correction_views.correct_contact, name="correct_contact"),
    path("<int:worker_id>/ubah/iuran/", correction_views.correct_basis, name="correct_basis"),
    path("<int:worker_id>/keluarkan/", correction_views.withdraw, name="withdraw"),
    path("<int:worker_id>/aktifkan/", correction_views.reinstate, name="reinstate"),
    path("<int:worker_id>/pindah/", correction_views.move, name="move"),
]
