from django.urls import path

from gonghui.roster import views, views_sync

app_name = "roster"

urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("template/", views.template, name="template"),
    path("imports/<int:pk>/", views.job_detail, name="job"),
    path("imports/<int:pk>/preview/", views.preview, name="preview"),
    path("imports/<int:pk>/progress/", views.job_progress, name="progress"),
    path("imports/<int:pk>/resume/", views.job_resume, name="resume"),
    path("imports/<int:pk>/cancel/", views.job_cancel, name="cancel"),
    path("imports/<int:pk>/report/", views.job_report, name="report"),
    path("imports/<int:pk>/sync/", views_sync.sync_page, name="sync"),
    path("imports/<int:pk>/sync/detect/", views_sync.sync_detect, name="sync_detect"),
    path("exports/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
