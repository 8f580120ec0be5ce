from django.urls import path

from gonghui.notices.views import manage, public

app_name = "notices"

urlpatterns = [
    path("", public.notice_list, name="list"),
    path("<int:pk>/", public.notice_detail, name="detail"),
    path("manage/", manage.manage_list, name="manage"),
    path("manage/new/", manage.publish, name="publish"),
    path("manage/<int:pk>/", manage.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/objections/<int:objection_id>/decide/", manage.decide, name="decide"),
    path("manage/<int:pk>/close/", manage.close, name="close"),
    path("manage/<int:pk>/withdraw/", manage.withdraw, name="withdraw"),
]
