"""FHIR plumbing shared by the apps (``common``); each app's mappings and router live in the app."""
