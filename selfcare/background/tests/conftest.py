from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def queue(settings: Any) -> None:
    """Tasks go to the real queue (the database backend) instead of running at once: for tests of the queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
