from django.urls import URLPattern, URLResolver, path

from gonghui.workbench import views

app_name = "workbench"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="home"),
    path("search/", views.search, name="search"),
    path("mine/", views.mine, name="mine"),
]
