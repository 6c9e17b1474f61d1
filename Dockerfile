# nn-playground in a container: `nn-playground serve` from the project's wheel, listening on 0.0.0.0:8000.
# CPU torch by default (about 200 MB instead of several GB). A CUDA build, for a server with an NVIDIA GPU
# (compose: see compose.yaml; docker run: --gpus all):
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 -t nn-playground:cuda .
# The CUDA wheels carry their own CUDA runtime, so the base image stays the same; the host needs the driver.

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY server server
COPY models models
COPY static static
COPY templates templates
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
# torch first, from the index the build argument names; then the playground and its other dependencies from PyPI
# (pip keeps the torch it has, as it satisfies torch>=2.4).
RUN pip install --no-cache-dir --index-url "$TORCH_INDEX" torch
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
RUN useradd --system --create-home --home-dir /data nnp
USER nnp
WORKDIR /data
# Sessions are saved in /data (mount a volume there); NNP_REDIS_URL shares rooms between replicas.
# numba's compiled kernels are cached in the container, not in the sessions volume the replicas share.
ENV NNP_HOST=0.0.0.0 NNP_PORT=8000 NNP_DB_PATH=/data/nn-playground.sqlite3 PYTHONUNBUFFERED=1 \
    NUMBA_CACHE_DIR=/tmp/numba-cache
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["nn-playground", "serve"]
