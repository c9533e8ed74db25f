# Serving image: FastAPI + Mangum + LiteRT, no TensorFlow, no pandas (design.md section 8 budgets).
# Built by `sam build` (template.yaml: PredictFunction, DockerContext "."); .dockerignore keeps the
# build context to cryptonic/ and functions/.
# The AWS base image. Only the container tests, on machines with no image registry, pass another:
# a stand-in built by infra/local-base/build.sh with the same contract (never deployed).
ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12
# hadolint ignore=DL3006
FROM ${BASE_IMAGE}

# Dependencies first, so this layer stays cached until the pins change. Installed next to the code
# in LAMBDA_TASK_ROOT, which comes first on sys.path (ahead of the runtime's own boto3 and botocore).
COPY functions/predict/requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
        --requirement /tmp/requirements.txt --target "${LAMBDA_TASK_ROOT}" \
    && rm /tmp/requirements.txt

# The library (package data included: data/BTC-USD.csv, api/static/) and this function's handler.
COPY cryptonic/ "${LAMBDA_TASK_ROOT}/cryptonic/"
COPY functions/__init__.py "${LAMBDA_TASK_ROOT}/functions/"
COPY functions/predict/ "${LAMBDA_TASK_ROOT}/functions/predict/"

# The task root is read-only at run time: write the bytecode now instead of on every cold start.
RUN python -m compileall -q "${LAMBDA_TASK_ROOT}/cryptonic" "${LAMBDA_TASK_ROOT}/functions"

CMD ["functions.predict.app.handler"]
