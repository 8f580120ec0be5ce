from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "gonghui.workbench"
    label = "workbench"
    verbose_name = "工作台"
