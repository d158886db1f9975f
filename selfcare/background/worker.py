"""One pass of a worker: take back tasks of dead workers, enqueue due periodic tasks, run every ready task.

django-tasks_db's own `Worker` (the loop of its `db_worker` command) claims and runs the tasks, in batch mode: it
returns once the queue is empty, so the pass around it stays ours. Several workers on one database share the queue:
each task is claimed by one (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serialises claims).
"""

from __future__ import annotations

from collections.abc import Sequence

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from selfcare.background.leases import release_expired_leases
from selfcare.background.schedule import Periodic, tick


def run_pass(
    *, worker_id: str, queue_names: Sequence[str] = ("*",), schedule: Sequence[Periodic] = (), signals: bool = False
) -> Worker:
    """Run what is due now; the library's worker, whose `running` is False once a stop signal arrived."""
    release_expired_leases()
    tick(schedule)
    worker = Worker(
        queue_names=list(queue_names),
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    if signals:
        # SIGTERM lets the running task finish, then the process exits; a second one (or SIGKILL) stops it at once,
        # and the task's lease brings it back to another worker.
        worker.configure_signals()
    worker.run()
    return worker
