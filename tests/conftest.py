"""Shared test setup: an isolated workspace so notebooks and tests never touch the user's."""
from __future__ import annotations

import os
import tempfile

# Set before any kernel starts: nbval and nbclient kernels inherit this environment.
os.environ.setdefault("WORKFW_WORKSPACE", tempfile.mkdtemp(prefix="workfw-test-workspace-"))
