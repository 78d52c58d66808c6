"""Fixtures every test module may use."""

from __future__ import annotations

from pathlib import Path

import pytest

from digital_jilin import PROJECT_ROOT

SOURCES = PROJECT_ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def sources() -> Path:
    """The five source texts, beside the repository as CI places them."""
    # No skip: without the sources nothing that needs them can be checked, and that must be seen.
    assert SOURCES.is_dir(), (
        f"source texts missing: expected {SOURCES} (../shared/sources beside the repo)"
    )
    return SOURCES
