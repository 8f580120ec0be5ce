from django.apps import AppConfig

from gonghui.core import hooks


class AidConfig(AppConfig):
    name = "gonghui.aid"
    label = "aid"
    verbose_name = "困难职工帮扶"

    def ready(self) -> None:
        # demo and org_hooks import the models: only once the app registry is ready (Django)
        from gonghui.aid import demo  # after the registry is ready (models)
        from gonghui.aid import hooks as life_events  # after the registry is ready (models)
        from gonghui.aid.services import org_hooks  # after the registry is ready (models)

        hooks.register("org.occupancy", org_hooks.org_occupancy)
        hooks.register("org.merge", org_hooks.org_merge)
        hooks.register("org.path_changed", org_hooks.org_path_changed)
        hooks.register("demo.seed", demo.seed)
        hooks.register("member.ended", life_events.member_ended)
        hooks.register("member.transferred", life_events.member_transferred)

        from gonghui.aid import mydata as own_data  # after the registry is ready (models)
        from gonghui.members import mydata

        mydata.register(own_data.sections)

        from gonghui.aid.retention import closed_files  # after the registry is ready (models)
        from gonghui.audit import retention

        retention.register(closed_files)
