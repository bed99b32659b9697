from django.urls import URLPattern, URLResolver, path

from kepling.regions import views

app_name = "regions"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.kelurahan_list, name="kelurahan_list"),
    path("<str:kode>/", views.wilayah_page, name="wilayah"),
    path("<str:kode>/tambah/", views.lingkungan_add, name="add"),
    path("<str:kode>/nama/", views.lingkungan_rename, name="rename"),
    path("<str:kode>/target/", views.lingkungan_target, name="target"),
]
