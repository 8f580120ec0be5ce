from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "gonghui.funds"
    label = "funds"
