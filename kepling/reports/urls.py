from django.urls import URLPattern, URLResolver, path

from kepling.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.choose, name="choose"),
    path("<str:kode>/", views.report, name="node"),
]
