#!/usr/bin/env bash
# Build the TEST STAND-IN for public.ecr.aws/lambda/python:3.12 (see Dockerfile next to this).
#
#   infra/local-base/build.sh TAG
#
# For machines that reach package registries but no image registry: the container tests
# (tests/e2e/images) and `make bench` call it, then build the project's images with
# `--build-arg BASE_IMAGE=TAG`. Never used for a deploy. Needs: a Docker engine, mmdebstrap,
# pyenv's CPython 3.12 built on bookworm (PYTHON_PREFIX overrides), and aws-sam-cli installed
# (for the emulator binary; SAM_RIE overrides). Everything it builds on is made fresh here:
# no image of an earlier run is used.
set -euo pipefail

tag=${1:?usage: build.sh TAG}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
python_prefix=${PYTHON_PREFIX:-$(PYENV_VERSION=3.12.1 pyenv prefix 2>/dev/null || true)}
rie=${SAM_RIE:-$(ls "$repo"/.venv-tools/lib/python3*/site-packages/samcli/local/rapid/aws-lambda-rie-x86_64 2>/dev/null | head -n1)}
ca_bundle=${BUILD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

[ -x "$python_prefix/bin/python3.12" ] || { echo "build.sh: no CPython 3.12 at '$python_prefix' (set PYTHON_PREFIX)" >&2; exit 2; }
[ -f "$rie" ] || { echo "build.sh: no aws-lambda-rie-x86_64 from aws-sam-cli (run make setup, or set SAM_RIE)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "build.sh: mmdebstrap not installed (apt-get install -y mmdebstrap)" >&2; exit 2; }

work=$(mktemp -d)
rootfs_tag="${tag%%:*}-rootfs:$(date +%s)-$$"
cleanup() { rm -rf "$work"; docker rmi "$rootfs_tag" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The packages CPython's extension modules link against (ssl, ctypes, zlib, bz2, lzma, sqlite3,
# readline, curses, uuid, expat); nothing else: the AWS image is small too.
mmdebstrap --quiet --variant=minbase \
  --include=ca-certificates,libssl3,libffi8,zlib1g,libbz2-1.0,liblzma5,libsqlite3-0,libreadline8,libncursesw6,libuuid1,libexpat1 \
  bookworm "$work/rootfs.tar"
docker import "$work/rootfs.tar" "$rootfs_tag" >/dev/null

context="$work/context"
mkdir -p "$context/lang"
cp "$here"/Dockerfile "$here"/lambda-entrypoint.sh "$here"/bootstrap "$here"/bootstrap.py \
   "$here"/requirements.txt "$context/"
# CPython as AWS lays it out under /var/lang, without its test suite, IDLE, Tk and installed
# packages (ensurepip brings pip back inside the image).
tar -C "$python_prefix" \
  --exclude='./lib/python3.12/test' --exclude='./lib/python3.12/idlelib' \
  --exclude='./lib/python3.12/tkinter' --exclude='./lib/python3.12/turtledemo' \
  --exclude='./lib/python3.12/site-packages/*' --exclude='__pycache__' \
  -cf - . | tar -C "$context/lang" -xf -
cp "$rie" "$context/aws-lambda-rie"
cp "$ca_bundle" "$context/build-ca.pem"
chmod 755 "$context/aws-lambda-rie" "$context/lambda-entrypoint.sh" "$context/bootstrap"
chmod 644 "$context/bootstrap.py" "$context/build-ca.pem" "$context/requirements.txt"

DOCKER_BUILDKIT=0 docker build --quiet --network host \
  --build-arg ROOTFS_IMAGE="$rootfs_tag" --tag "$tag" "$context" >/dev/null
echo "$tag"
