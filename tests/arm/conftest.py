"""Fixtures of the ARM tests: the aarch64 cross build of cpp/, LiteRT's aarch64 library and a qemu-user root.

Skipped (with the reason) where the cross compiler or qemu-user is not installed; .ci/run installs both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import arm_env  # noqa: E402

ARM_TARGETS = ["mobilevsr_core_tests", "mobilevsr_stream", "mobilevsr_bare_loop"]


@pytest.fixture(scope="session")
def arm_tools() -> None:
    missing = arm_env.missing_tools()
    if missing:
        pytest.skip(f"ARM tests need {', '.join(missing)} (apt-get install g++-aarch64-linux-gnu qemu-user)")


@pytest.fixture(scope="session")
def arm_build_tree(arm_tools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cpp/ cross-built for aarch64 in one tree: the C++ unit tests, mobilevsr_stream, mobilevsr_bare_loop and, when a
    JDK provides jni.h, the JNI bridge libmobilevsr_jni.so (the core's part of the APK)."""
    jdk = arm_env.java_home()
    targets = ARM_TARGETS + (["mobilevsr_jni"] if jdk else [])
    # $MOBILEVSR_ARM_BUILD_DIR keeps the tree between runs (configured and built incrementally, like a fresh one).
    kept = os.environ.get("MOBILEVSR_ARM_BUILD_DIR")
    build_dir = Path(kept) if kept else tmp_path_factory.mktemp("arm_build")
    return arm_env.cross_build(build_dir, targets, jdk=jdk)


@pytest.fixture(scope="session")
def arm_build(arm_build_tree: Path) -> Path:
    """The folder of the aarch64 core binaries (cpp/jni's tree builds the core in its mobilevsr_core/)."""
    nested = arm_build_tree / "mobilevsr_core"
    return nested if nested.is_dir() else arm_build_tree


@pytest.fixture(scope="session")
def arm_jni_library(arm_build_tree: Path) -> Path:
    library = arm_build_tree / "libmobilevsr_jni.so"
    if not library.exists():
        pytest.skip("no JDK (include/jni.h) to build the JNI bridge with: set JAVA_HOME")
    return library


@pytest.fixture(scope="session")
def qemu_root(arm_tools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return arm_env.qemu_root(tmp_path_factory.mktemp("qemu_root"))


@pytest.fixture(scope="session")
def arm_litert(arm_tools) -> Path:
    """LiteRT's aarch64 libLiteRt.so (from the ai-edge-litert wheel, downloaded by pip into the user cache)."""
    return arm_env.fetch_litert() / "libLiteRt.so"
