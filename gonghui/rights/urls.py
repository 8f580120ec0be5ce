from django.urls import URLPattern, URLResolver

app_name = "rights"

urlpatterns: list[URLPattern | URLResolver] = []
