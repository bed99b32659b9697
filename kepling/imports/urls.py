from django.urls import URLPattern, URLResolver, path

from kepling.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.job_list, name="list"),
    path("unggah/<str:kind>/", views.upload, name="upload"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/pemetaan/", views.save_mapping, name="mapping"),
    path("<int:job_id>/periksa/", views.validate, name="validate"),
    path("<int:job_id>/terapkan/", views.apply, name="apply"),
    path("<int:job_id>/status/", views.status, name="status"),
    path("<int:job_id>/kesalahan.xlsx", views.download_errors, name="errors"),
]
