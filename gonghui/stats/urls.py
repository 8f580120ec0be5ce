from django.urls import URLPattern, URLResolver, path

from gonghui.stats import views

app_name = "stats"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("employers/", views.employers, name="employers"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("employers/import/", views.employer_import, name="employer_import"),
    path("employers/<int:pk>/", views.employer, name="employer"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
