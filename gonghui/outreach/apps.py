from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _l

from gonghui.core import hooks


class OutreachConfig(AppConfig):
    name = "gonghui.outreach"
    label = "outreach"
    verbose_name = "服务阵地与活动"

    def ready(self) -> None:
        # demo imports the models and services: only once the app registry is ready (Django)
        from gonghui.notifications.channels import register_kind
        from gonghui.outreach import demo

        hooks.register("demo.seed", demo.seed)
        register_kind("outreach.waitlist_promoted", _l("活动候补递补"))
        register_kind("outreach.activity_cancelled", _l("活动取消"))
        register_kind("outreach.activity_reminder", _l("活动提醒"))
        register_kind("outreach.training_reminder", _l("培训提醒"))
        register_kind("outreach.announcement", _l("工会通知"))
