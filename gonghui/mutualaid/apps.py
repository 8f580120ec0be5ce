from django.apps import AppConfig


class MutualaidConfig(AppConfig):
    name = "gonghui.mutualaid"
    label = "mutualaid"
    verbose_name = "互助保障"

    def ready(self) -> None:
        # models may be imported only once the app registry is ready (Django's AppConfig rule)
        from gonghui.audit import retention
        from gonghui.core import hooks
        from gonghui.members import mydata
        from gonghui.mutualaid import demo, orghooks
        from gonghui.mutualaid import hooks as life_events
        from gonghui.mutualaid import mydata as own_data
        from gonghui.mutualaid.retention import ended_payouts

        hooks.register("org.path_changed", orghooks.path_changed)
        hooks.register("org.merge", orghooks.merge)
        hooks.register("org.occupancy", orghooks.occupancy)
        hooks.register("demo.seed", demo.seed)
        hooks.register("member.ended", life_events.member_ended)
        mydata.register(own_data.sections)
        retention.register(ended_payouts)
