"""TEST STAND-IN (see Dockerfile): run awslambdaric on the handler named by the entrypoint.

The module search path is Lambda's: the task root first, then layers (/opt/python), then the
runtime (/var/runtime, where this script and awslambdaric live), then the standard library.
"""

import os
import sys

from awslambdaric.__main__ import main

task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
sys.path[:0] = [task_root, "/opt/python/lib/python3.12/site-packages", "/opt/python"]
main([sys.argv[0], sys.argv[1]])
