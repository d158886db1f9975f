"""Background work on Django's task API (the `django-tasks` backport of `django.tasks`), with what it leaves out.

The library gives the queue (the ORM backend, `django_tasks_db`, claims with SELECT … FOR UPDATE SKIP LOCKED) and a
worker loop. It does not retry, does not take back a task whose worker died (the row stays RUNNING for ever), and
has no periodic tasks. Those three are here, small and in one place each:

- `retrying_task` (tasks.py): a task that raises one of its retryable errors is enqueued again after a growing
  delay, up to its number of attempts; the failed attempt stays on record as failed with `RetryScheduled`.
- `release_expired_leases` (leases.py): a RUNNING task older than `TASKS_LEASE_SECONDS` is made READY again, so a
  new worker runs it. A task may therefore run twice: every task's side effects are keyed by its business id
  (the SMS message, the usage event ids, the mandate's state), so a second run changes nothing.
- `tick` (schedule.py): enqueues each periodic task once per slot; a unique row per (task, slot) makes that true
  with any number of worker and scheduler processes, so no single scheduler has to be kept alive.

docs/background-work.md is the operator's view.
"""
