# Training image: TensorFlow (CPU) + Keras, pandas, yfinance, LiteRT for the export parity check.
# The daily refresh runs on it too, without ever importing TensorFlow.
# Built by `sam build` (template.yaml: RetrainFunction, DockerContext "."); .dockerignore keeps the
# build context to cryptonic/ and functions/.
# The AWS base image. Only the container tests, on machines with no image registry, pass another:
# a stand-in built by infra/local-base/build.sh with the same contract (never deployed).
ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12
# hadolint ignore=DL3006
FROM ${BASE_IMAGE}

# Only /tmp is writable in Lambda: point the caches of Keras and yfinance (platformdirs) there,
# and keep TensorFlow's C++ start-up chatter out of the logs.
ENV KERAS_HOME=/tmp/.keras \
    XDG_CACHE_HOME=/tmp/.cache \
    TF_CPP_MIN_LOG_LEVEL=2

# Dependencies first, so this (large) layer stays cached until the pins change.
COPY functions/retrain/requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
        --requirement /tmp/requirements.txt --target "${LAMBDA_TASK_ROOT}" \
    && rm /tmp/requirements.txt

# The library (bundled BTC-USD.csv snapshot included: DATA_SOURCE=auto falls back to it) and the
# handlers of the four functions built from this image: the retrain (CMD), the dispatch, the daily
# refresh and the hourly sweeper (template.yaml: their ImageConfig.Command).
COPY cryptonic/ "${LAMBDA_TASK_ROOT}/cryptonic/"
COPY functions/__init__.py "${LAMBDA_TASK_ROOT}/functions/"
COPY functions/retrain/ "${LAMBDA_TASK_ROOT}/functions/retrain/"
COPY functions/refresh/ "${LAMBDA_TASK_ROOT}/functions/refresh/"
COPY functions/dispatch/ "${LAMBDA_TASK_ROOT}/functions/dispatch/"
COPY functions/sweep/ "${LAMBDA_TASK_ROOT}/functions/sweep/"

# The task root is read-only at run time: write the bytecode now instead of on every cold start.
RUN python -m compileall -q "${LAMBDA_TASK_ROOT}/cryptonic" "${LAMBDA_TASK_ROOT}/functions"

CMD ["functions.retrain.app.handler"]
