from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "gonghui.workplan"
    label = "workplan"
