from django.urls import URLPattern, URLResolver, path

from kepling.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.choose, name="choose"),
    path("unduhan/<int:job_id>/", views.job_page, name="job"),
    path("unduhan/<int:job_id>/berkas/", views.job_file, name="job_file"),
    path("<str:kode>/", views.report, name="node"),
]
