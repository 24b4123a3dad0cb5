from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "kincare.fhir"
    label = "fhir"
    verbose_name = "FHIR"
