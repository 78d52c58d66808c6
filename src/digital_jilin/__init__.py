"""数字吉林统计报告书: data, extraction, chapters, book and appendix builders."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The repository root when the package is installed in editable mode (the normal case).
PROJECT_ROOT = PACKAGE_DIR.parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

__all__ = ["DEFAULT_DATA_DIR", "PACKAGE_DIR", "PROJECT_ROOT"]
