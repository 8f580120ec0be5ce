from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "gonghui.outreach"
    label = "outreach"
    verbose_name = "服务阵地与活动"
