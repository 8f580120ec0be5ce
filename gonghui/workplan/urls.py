from django.urls import path

from gonghui.workplan.views import departments, items, me, plans, supervise

app_name = "workplan"

urlpatterns = [
    path("", plans.home, name="home"),
    path("import/", plans.upload, name="import"),
    path("import/<int:pk>/", plans.preview, name="preview"),
    path("plans/<int:pk>/", plans.detail, name="plan"),
    path("plans/<int:pk>/edit/", plans.edit, name="plan_edit"),
    path("plans/<int:pk>/export.xlsx", plans.export_xlsx, name="plan_xlsx"),
    path("plans/<int:pk>/export.pdf", plans.export_pdf, name="plan_pdf"),
    path("plans/<int:pk>/departments/<int:dept>/export.xlsx", plans.export_department_xlsx,
         name="department_xlsx"),
    path("plans/<int:pk>/departments/<int:dept>/export.pdf", plans.export_department_pdf,
         name="department_pdf"),
    path("plans/<int:pk>/supervision/", supervise.supervision, name="supervision"),
    path("plans/<int:pk>/remind/", supervise.remind, name="remind"),
    path("rollup/", supervise.rollup, name="rollup"),
    path("items/<int:pk>/", items.item_detail, name="item"),
    path("items/<int:pk>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:pk>/departments/", items.item_departments, name="item_departments"),
    path("items/<int:pk>/milestones/new/", items.milestone_new, name="milestone_new"),
    path("milestones/<int:pk>/", items.milestone_detail, name="milestone"),
    path("milestones/<int:pk>/edit/", items.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/report/", items.report_new, name="report_new"),
    path("milestones/<int:pk>/status/", items.milestone_status, name="milestone_status"),
    path("milestones/<int:pk>/subtasks/new/", items.subtask_new, name="subtask_new"),
    path("milestones/<int:pk>/remind/", supervise.remind_milestone, name="remind_milestone"),
    path("subtasks/<int:pk>/status/", items.subtask_status, name="subtask_status"),
    path("attachments/<int:pk>/", items.attachment, name="attachment"),
    path("departments/", departments.department_list, name="departments"),
    path("departments/<int:pk>/", departments.department_detail, name="department"),
    path("departments/<int:pk>/edit/", departments.department_edit, name="department_edit"),
    path("departments/<int:pk>/members/", departments.member_add, name="member_add"),
    path("departments/<int:pk>/members/<int:mid>/remove/", departments.member_remove,
         name="member_remove"),
    path("my/tasks/", me.my_tasks, name="my_tasks"),
    path("my/notifications/", me.notifications, name="notifications"),
    path("my/notifications/<int:pk>/", me.notification_open, name="notification_open"),
    path("my/notifications/read-all/", me.notifications_read_all, name="notifications_read_all"),
]
