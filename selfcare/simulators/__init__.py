"""Development fakes of the outside services the portal talks to (eID providers, SMS), for the demo and tests.

Every simulator answers only while ``settings.SELFCARE_DEMO`` is on: its URLs are mounted conditionally and each
view refuses with 404 otherwise, so a production deployment (where the settings refuse the demo) exposes none.
"""
