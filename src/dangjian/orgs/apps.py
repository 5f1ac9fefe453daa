"""Organizations: the party organization tree, committees and their terms."""

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "党组织"
