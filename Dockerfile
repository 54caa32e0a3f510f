# citebot: the Telegram bot in a container.
#   docker build -t citebot .
#   docker run -d --name citebot --restart unless-stopped --env-file .env citebot
# The token comes from the environment (--env-file); it is never baked into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Install the package first so that editing the knowledge base does not reinstall it.
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin citebot \
    && install -d -o citebot -g citebot -m 700 /app/data

COPY knowledge ./knowledge

ENV CITEBOT_KNOWLEDGE_DIR=/app/knowledge \
    CITEBOT_DATA_DIR=/app/data
# The records database and install secret (docs/curation.md): keep them across upgrades with
# a volume, e.g. -v citebot-data:/app/data.
VOLUME /app/data
# Webhook mode only: listen on all interfaces inside the container and publish the port
# (-p 8443:8443) behind a TLS reverse proxy. Polling (the default) needs no port at all.
EXPOSE 8443

USER citebot
# Exec form, so `docker stop` sends SIGTERM to citebot itself and it shuts down cleanly.
CMD ["citebot", "run"]
