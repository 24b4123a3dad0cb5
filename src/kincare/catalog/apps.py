from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "kincare.catalog"
    label = "catalog"
    verbose_name = "保险产品"
