# meetbot: the Telegram bot in a slim image. Build: docker build -t meetbot .
# Run:   docker run -d --name meetbot --env-file .env -v meetbot-data:/data meetbot

# --- build: a virtualenv with the dependencies, then the package ------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies before source: this layer is reused until pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && pip install -r requirements.txt
COPY README.md ./
COPY bot ./bot
COPY storage ./storage
# The seeds ship inside the package (bot/seeds, see pyproject.toml); nothing else to copy.
COPY seeds ./seeds
RUN pip install --no-deps . \
    && python -m compileall -q /opt/venv/lib/python3.11/site-packages/bot /opt/venv/lib/python3.11/site-packages/storage

# --- run: the virtualenv (with the seeds), a non-root user, a volume for the SQLite file ------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MEETBOT_DATA_DIR=/data \
    MPLCONFIGDIR=/opt/matplotlib
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin meetbot \
    && mkdir -p /app /data \
    && chown meetbot:meetbot /data
COPY --from=build /opt/venv /opt/venv
# matplotlib (pictures) wants a writable folder for its font cache; the home folder is not
# the user's, so without one every process would warn and rebuild the cache on its first
# picture. Built here once, writable by the bot.
RUN python -c "import matplotlib.font_manager" \
    && chown -R meetbot:meetbot /opt/matplotlib
WORKDIR /app
USER meetbot
# The default database is /data/meetbot.db (SQLite, WAL); keep it on a volume.
VOLUME ["/data"]
# Healthy while the database answers and can be written (same settings as the bot). Docker
# itself watches the bot's process: PID 1 is `meetbot run`, and the container ends with it.
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 CMD ["meetbot", "health"]
# Used only in webhook mode (BOT_MODE=webhook, WEBHOOK_PORT).
EXPOSE 8443
# docker stop sends SIGTERM: the bot finishes the update at hand and exits 0.
CMD ["meetbot", "run"]
