"""Puts harness.py (the helpers of the awx_display callback tests) on the import path."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
