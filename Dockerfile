# The portal's image: one image for the portal (gunicorn), the worker, the simulator service and the migration job;
# the command chooses (docs/deployment.md). Runs as a user without privileges, on a read-only root file system.
# Build: docker build -t selfcare .
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir "uv==0.13.9"
COPY pyproject.toml requirements.lock README.md ./
COPY selfcare ./selfcare
COPY deploy ./deploy
# Only the production dependencies, at the versions the lock pins (the lock also holds the dev tools).
RUN /venv/bin/uv pip install --python /venv/bin/python --no-cache -c requirements.lock . \
 && SELFCARE_VAR_DIR=/app/var /venv/bin/python deploy/build_static.py

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SELFCARE_VAR_DIR=/app/var DOCUMENTS_STORAGE=s3 DJANGO_SETTINGS_MODULE=selfcare.settings
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin selfcare \
 && mkdir -p /app/var/demo && chown 10001 /app/var/demo
COPY --from=build /venv /venv
COPY --from=build /app/deploy /app/deploy
COPY --from=build /app/var/static /app/var/static
WORKDIR /app
USER 10001
EXPOSE 8000
# Liveness asks only the process (docs/deployment.md "Health endpoints"); the orchestrator asks /readyz too.
HEALTHCHECK --interval=15s --timeout=3s CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "selfcare.wsgi:application"]
