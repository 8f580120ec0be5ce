from django.urls import URLPattern, URLResolver

app_name = "democracy"

urlpatterns: list[URLPattern | URLResolver] = []
