"""gunicorn's settings for the portal in the container image (`gunicorn -c deploy/gunicorn.conf.py selfcare.wsgi`).

Worker processes and threads come from the environment, so one image fits any machine: `WEB_CONCURRENCY` processes
(default: two per core the container sees) of `GUNICORN_THREADS` threads (default 2; a request mostly waits on the
database, Redis or an eID provider, and a Smart-ID status call long-polls SK for up to a second). Two processes per
core rather than one: a process's threads share one interpreter lock, and a thread whose database answer has
arrived waits for the lock while another thread of its process computes, so with one process per core a core sat idle
while requests queued. Measured on 2 cores under `make load`, which runs this shape (docs/deployment.md "How many"):
4 x 2 against 2 x 4, mostly alternated, p95 910 ms (700-1,100, nine runs) against 1,150 ms (680-1,700, six runs),
requests/s 127 against 119, the same CPU per request. The total of threads, and so of database connections, is the
same as before, and so about is the memory (four processes of ~100 MB against two of ~185 MB).
The app keeps nothing in a process (docs/deployment.md), so more processes or more replicas add capacity the same
way.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A request waiting longer than this on a provider is cut: the clients' own timeouts are shorter.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20  # SIGTERM: running requests finish, as the orchestrator drains the replica
keepalive = 5  # behind the load balancer, which keeps its connections open
# The root file system is read-only: heartbeats go to memory, and there is no control socket to write.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's own heartbeat files, private to the container
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# The client's address is the portal's business (TRUSTED_PROXY_COUNT, selfcare/security/proxy.py), not gunicorn's.
forwarded_allow_ips = ""
