"""Back office view of the background task queue, for administrators: what is queued, running, retried and failed
(docs/background-work.md). Read only: a task is never changed by hand here.

The task's arguments, return value and traceback are left out: an e-mail task's arguments hold an address and a
text, and a traceback can quote them. The exception's class says what failed; the worker's log says the rest.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from selfcare.access.staff import Resource
from selfcare.backoffice.site import StaffModelAdmin, backoffice_site

SHOWN = [
    "task_path",
    "status",
    "queue_name",
    "priority",
    "enqueued_at",
    "run_after",
    "started_at",
    "finished_at",
    "exception_class_path",
]


@admin.register(DBTaskResult, site=backoffice_site)
class TaskResultAdmin(StaffModelAdmin[DBTaskResult[..., Any]]):
    resource = Resource.TASKS
    list_display = ["task_path", "status", "enqueued_at", "run_after", "finished_at", "exception_class_path", "runs"]
    list_filter = ["status", "task_path", "queue_name"]
    date_hierarchy = "enqueued_at"
    fields = [*SHOWN, "runs"]
    readonly_fields = [*SHOWN, "runs"]
    ordering = ["-enqueued_at"]

    @admin.display(description=_("Times run"))  # by how many workers: more than one after a retry or a lost worker
    def runs(self, task: DBTaskResult[..., Any]) -> int:
        return len(task.worker_ids)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
