from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账户与角色"
