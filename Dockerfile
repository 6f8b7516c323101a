# The app, for running as one of several replicas on a shared store (see README: "Running several replicas").
# Python 3.11: the version the lock files were compiled for.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Exact versions with hashes, as `bash scripts/setup.sh` installs them.
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt

COPY .streamlit/config.toml .streamlit/config.toml
COPY streamlit_app.py .
COPY catalog catalog
COPY views views

RUN useradd --create-home --uid 10001 catalog
USER catalog

# A local CATALOG_DIR works for a single container; replicas share s3://bucket/prefix instead.
ENV CATALOG_DIR=/home/catalog/data

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(0 if r.read() == b'ok' else 1)"]

CMD ["streamlit", "run", "streamlit_app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
