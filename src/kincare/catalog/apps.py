from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "kincare.catalog"
    label = "catalog"
    verbose_name = "保险产品"

    def ready(self) -> None:
        # the sample catalog of ``kincare demo`` (core imports no app)
        from kincare.catalog import demo

        demo.register()
