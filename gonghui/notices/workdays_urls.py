from django.urls import path

from gonghui.notices.views import workdays

app_name = "workdays"

urlpatterns = [
    path("", workdays.calendar_page, name="calendar"),
    path("import/", workdays.import_file, name="import"),
    path("<str:day>/delete/", workdays.delete_override, name="delete"),
]
