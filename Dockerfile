# A thin wrapper around deploy/build.sh and deploy/start.sh (docs/operations.md):
#   docker build -t toolkit .
#   docker run --env-file .env -p 8000:8000 toolkit              # web
#   docker run --env-file .env toolkit deploy/start.sh worker    # background tasks
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VENV=/app/.venv \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000

RUN useradd --system --create-home --uid 10001 toolkit
WORKDIR /app

# Dependencies first, so a change of code reuses this layer.
COPY requirements.lock ./
RUN python -m venv "$VENV" \
    && "$VENV/bin/pip" install --quiet --no-deps --require-hashes -r requirements.lock

# The code, then the rest of the build (static files collected and compressed).
COPY . .
RUN deploy/build.sh

USER toolkit
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 \
    CMD ["/app/.venv/bin/python", "deploy/probe.py"]
CMD ["deploy/start.sh", "web"]
