"""Android API 26 (the app's minSdk): the aarch64 JNI bridge imports no libc function Android added later.

The library is cross-built against glibc here, not Bionic, so this is a check by name: every C library symbol it
imports (``nm -D --undefined-only``, versions GLIBC_*) is looked up in the table below, which records the API level
at which Bionic introduced it, and must be <= 26. A symbol missing from the table fails the test: look it up and add
it. C++ runtime and unwinder symbols (GLIBCXX_, CXXABI_, GCC_) are left out: on Android they come from the NDK's
libc++ and libunwind, which the NDK builds for the app's minSdk itself.

Levels (arm64 exists from API 21, so a symbol Bionic had before 21 counts as 21), read from AOSP bionic's symbol
maps, https://android.googlesource.com/platform/bionic/ (as stored in the search index: libc/libc.map.txt from
GrapheneOS/platform_bionic@0e1d2e43, libdl/libdl.map.txt from aosp-mirror/platform_bionic@019ed914,
libm/libm.map.txt from aosp-mirror/platform_bionic@0510a45e). Each entry says where it stands there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from arm_env import CROSS_PREFIX

ROOT = Path(__file__).resolve().parents[2]
ARM64_FIRST_LEVEL = 21

LIBC_BLOCK = "libc.map.txt, block LIBC, no introduced= tag"
BIONIC_LEVELS: dict[str, tuple[int, str]] = {
    "__cxa_atexit": (21, LIBC_BLOCK),
    "__cxa_finalize": (21, LIBC_BLOCK),
    "__errno": (21, LIBC_BLOCK),
    "__sched_cpucount": (21, LIBC_BLOCK),
    "__stack_chk_fail": (21, LIBC_BLOCK),
    "_exit": (21, LIBC_BLOCK),
    "abort": (21, LIBC_BLOCK),
    "calloc": (21, LIBC_BLOCK),
    "close": (21, LIBC_BLOCK),
    "dup": (21, LIBC_BLOCK),
    "dup2": (21, LIBC_BLOCK),
    "fclose": (21, LIBC_BLOCK),
    "fflush": (21, LIBC_BLOCK),
    "fileno": (21, LIBC_BLOCK),
    "fork": (21, LIBC_BLOCK),
    "fprintf": (21, LIBC_BLOCK),
    "free": (21, LIBC_BLOCK),
    "freopen": (21, LIBC_BLOCK),
    "getenv": (21, LIBC_BLOCK),
    "kill": (21, LIBC_BLOCK),
    "malloc": (21, LIBC_BLOCK),
    "memcmp": (21, LIBC_BLOCK),
    "memcpy": (21, LIBC_BLOCK),
    "memmove": (21, LIBC_BLOCK),
    "memset": (21, LIBC_BLOCK),
    "nanosleep": (21, LIBC_BLOCK),
    "pread": (21, LIBC_BLOCK),
    "printf": (21, LIBC_BLOCK),
    "pthread_mutex_lock": (21, LIBC_BLOCK),
    "pthread_mutex_unlock": (21, LIBC_BLOCK),
    "sched_getaffinity": (21, LIBC_BLOCK),
    "snprintf": (21, LIBC_BLOCK),
    "stat": (21, LIBC_BLOCK),
    "strchr": (21, LIBC_BLOCK),
    "strcmp": (21, LIBC_BLOCK),
    "strlen": (21, LIBC_BLOCK),
    "strtod": (21, LIBC_BLOCK),
    "strtol": (21, LIBC_BLOCK),
    "tmpfile": (21, LIBC_BLOCK),
    "tolower": (21, LIBC_BLOCK),
    "waitpid": (21, LIBC_BLOCK),
    "getauxval": (21, "libc.map.txt, block LIBC: introduced-arm64=21"),
    "posix_memalign": (21, "libc.map.txt, block LIBC: introduced=17"),
    "stderr": (23, "libc.map.txt, block LIBC: var introduced=23"),
    "stdout": (23, "libc.map.txt, block LIBC: var introduced=23"),
    "aligned_alloc": (28, "libc.map.txt, block LIBC_P: introduced=P (28)"),
    "dlerror": (21, "libdl.map.txt, block LIBC, no introduced= tag"),
    "dlopen": (21, "libdl.map.txt, block LIBC, no introduced= tag"),
    "dlsym": (21, "libdl.map.txt, block LIBC, no introduced= tag"),
    "lround": (21, "libm.map.txt, block LIBC, no introduced= tag"),
    "nextafterf": (21, "libm.map.txt, block LIBC, no introduced= tag"),
}

# glibc names for functions Bionic spells differently (what the NDK's headers call instead).
GLIBC_TO_BIONIC = {
    "__errno_location": "__errno",  # errno: glibc's <errno.h> calls __errno_location(), Bionic's __errno()
    "__getauxval": "getauxval",  # libgcc's outline-atomics set-up asks glibc's internal alias; the NDK's, getauxval
}
# glibc symbols an NDK build does not import at all (why: next to each).
NOT_IMPORTED_ON_ANDROID = {
    # GNU libstdc++'s headers (GCC >= 11) read it to skip atomic reference counts in single-threaded processes;
    # the NDK's libc++ has no such shortcut.
    "__libc_single_threaded",
}


def min_sdk() -> int:
    """The app's minSdk, from its Gradle build (one source of truth)."""
    text = (ROOT / "android_app" / "app" / "build.gradle.kts").read_text()
    return int(re.search(r"minSdk\s*=\s*(\d+)", text).group(1))


def imported_libc_symbols(library: Path) -> set[str]:
    """The C library symbols (versions GLIBC_*) a shared library leaves undefined, without their versions."""
    out = subprocess.run([f"{CROSS_PREFIX}-nm", "-D", "--undefined-only", str(library)], capture_output=True,
                         text=True, check=True).stdout
    symbols = set()
    for line in out.splitlines():
        name = line.split()[-1]
        if "@GLIBC_" in name:
            symbols.add(name.split("@")[0])
    return symbols


def api_problems(symbols: set[str], level: int) -> list[str]:
    """Why each symbol is unusable at `level` (introduced later, or its level unknown to the table)."""
    problems = []
    for glibc_name in sorted(symbols - NOT_IMPORTED_ON_ANDROID):
        name = GLIBC_TO_BIONIC.get(glibc_name, glibc_name)
        if name not in BIONIC_LEVELS:
            problems.append(f"{glibc_name}: Bionic level unknown (look it up in bionic's libc/libc.map.txt and add it)")
        elif BIONIC_LEVELS[name][0] > level:
            problems.append(f"{glibc_name}: Bionic has it from API {BIONIC_LEVELS[name][0]} ({BIONIC_LEVELS[name][1]})")
    return problems


def test_table_levels_are_arm64_levels():
    assert all(ARM64_FIRST_LEVEL <= level for level, _ in BIONIC_LEVELS.values())
    assert min_sdk() == 26


def test_jni_bridge_imports_only_api26_libc(arm_jni_library):
    symbols = imported_libc_symbols(arm_jni_library)
    assert "posix_memalign" in symbols, "the pixel pool's aligned allocation should show among the imports"
    assert api_problems(symbols, min_sdk()) == []


def test_check_catches_aligned_alloc(arm_tools, tmp_path):
    """The check can fail: a library calling std::aligned_alloc (what the pixel pool used to do) is reported."""
    source = tmp_path / "probe.cc"
    source.write_text('#include <cstdlib>\n'
                      'extern "C" void* Probe(std::size_t n) { return std::aligned_alloc(64, n); }\n')
    library = tmp_path / "libprobe.so"
    subprocess.run([f"{CROSS_PREFIX}-g++", "-std=c++17", "-shared", "-fPIC", "-O2", str(source), "-o", str(library)],
                   check=True)
    problems = api_problems(imported_libc_symbols(library), min_sdk())
    assert problems == ["aligned_alloc: Bionic has it from API 28 (libc.map.txt, block LIBC_P: introduced=P (28))"]


def test_check_catches_unknown_symbols():
    assert api_problems({"memcpy", "shm_open"}, 26) == [
        "shm_open: Bionic level unknown (look it up in bionic's libc/libc.map.txt and add it)"]


@pytest.mark.parametrize("glibc_name", sorted(GLIBC_TO_BIONIC))
def test_renamed_symbols_resolve(glibc_name):
    assert GLIBC_TO_BIONIC[glibc_name] in BIONIC_LEVELS
