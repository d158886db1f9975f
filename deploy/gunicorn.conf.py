"""gunicorn's settings for the portal in the container image (`gunicorn -c deploy/gunicorn.conf.py selfcare.wsgi`).

Worker processes and threads come from the environment, so one image fits any machine: `WEB_CONCURRENCY` processes
(default: one per core the container sees) of `GUNICORN_THREADS` threads (default 4; a request mostly waits on the
database, Redis or an eID provider, and a Smart-ID status call long-polls SK for up to a second). Measured on 2
cores under `make load`, which runs this shape: neither more processes nor fewer threads lowered the CPU per
request beyond the run-to-run noise (docs/deployment.md "How many"). The app keeps nothing in a process
(docs/deployment.md), so more processes or more replicas add capacity the same way.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
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
