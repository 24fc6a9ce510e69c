# The portal's image: `docker compose build` (docker-compose.yml), or `docker build -t caio-portal .`
# Stage 1 installs the locked dependencies into a venv and builds the SDK's wheel; stage 2 copies
# the venv and the source into a slim image, gathers the static files, and runs as a plain user.
# The lock: requirements.lock (`make lock`), every package pinned with its hashes.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
# The SDK: a wheel, built with the locked setuptools (no build isolation, so nothing unlocked is
# fetched), installed into the venv and kept for the portal's /sdk/ page.
COPY sdk/pyproject.toml sdk/README.md sdk/LICENSE sdk/
COPY sdk/caio_integration sdk/caio_integration
RUN pip wheel --no-deps --no-build-isolation ./sdk -w /opt/sdk-wheel \
 && pip install --no-deps /opt/sdk-wheel/caio_integration_sdk-*.whl

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    PORTAL_VAR_DIR=/app/var \
    SDK_WHEEL_DIR=/app/var/sdk \
    STATIC_MANIFEST=1
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
    --shell /usr/sbin/nologin portal
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The portal runs from its source tree (settings find templates/ and static/ beside it); the
# code stays root's, read-only to the portal user.
COPY manage.py gunicorn.conf.py pyproject.toml ./
COPY portal portal
COPY contracts_app contracts_app
COPY integrations integrations
COPY templates templates
COPY static static
# The user guides the portal renders at /docs/ (portal/docs.py); docs/ holds design notes only.
COPY sdk/docs sdk/docs
COPY --from=build /opt/sdk-wheel /app/var/sdk
# Gathered once here, compressed and content-hashed (whitenoise); never at start-up.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
 && chown -R portal:portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi"]
