"""The security centre's machinery: response headers, rate limits, the session registry and new-device notices.

Kept free of imports at package level: settings.py imports `selfcare.security.headers` before Django is set up.
"""
