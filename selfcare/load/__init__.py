"""The load test (`make load`): the locust mix in locustfile.py, run against a real multi-process portal on
PostgreSQL and Redis by __main__.py."""
