from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _l

from gonghui.core import hooks


class RightsConfig(AppConfig):
    name = "gonghui.rights"
    label = "rights"
    verbose_name = "维权服务"

    def ready(self) -> None:
        # demo and channels import models: only once the app registry is ready (Django)
        from gonghui.notifications import channels
        from gonghui.rights import demo

        channels.register_kind("rights.risk_alert", _l("劳动关系风险预警"))
        hooks.register("demo.seed", demo.seed)

        # after the app registry is ready (ready() runs before models may be imported at top)
        from gonghui.members import mydata
        from gonghui.rights import mydata as own_data

        mydata.register(own_data.sections)

        # after the app registry is ready, like the registrations above
        from gonghui.audit import retention
        from gonghui.rights.retention import closed_cases

        retention.register(closed_cases)
