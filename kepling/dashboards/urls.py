from django.urls import URLPattern, URLResolver, path

from kepling.dashboards import views

app_name = "dashboards"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="home"),
    path("kepling/", views.kepling_progress, name="kepling"),
    path("peringkat/", views.rankings, name="rankings"),
    path("peringkat/terbitkan/", views.publish, name="publish"),
    path("peringkat/arsip/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("antrean/", views.queues, name="queues"),
    path("cari/", views.person_search, name="search"),
    path("antrean/konflik/<int:pk>/", views.resolve_conflict, name="resolve_conflict"),
    path("antrean/duplikat/<int:pk>/", views.resolve_duplicate, name="resolve_duplicate"),
    path("<str:kode>/retensi/", views.retention_page, name="retention"),
    path("<str:kode>/", views.dashboard, name="node"),
]
