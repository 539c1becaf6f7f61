"""The aarch64 side of the ARM tests: LiteRT's aarch64 library, a qemu-user root, the cross build, running under qemu.

Also a script for CI (.ci/run): ``python tests/arm/arm_env.py fetch-litert`` downloads LiteRT's aarch64 wheel with pip
into the user cache (never into the repository) and unpacks ``libLiteRt.so``; the tests call the same code.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LITERT_VERSION = "2.3.0"  # the x86 runtime's ai-edge-litert release: both sides run the same LiteRT
CROSS_PREFIX = "aarch64-linux-gnu"
CROSS_SYSROOT = Path("/usr") / CROSS_PREFIX  # Debian's multiarch cross sysroot (libc6-arm64-cross)
TOOLCHAIN_FILE = Path(__file__).resolve().parents[2] / "cpp" / "cmake" / "aarch64-linux-gnu.toolchain.cmake"
# The core emulated: a Cortex-A76 (a common big core of current phones). See qemu_root() for its /proc/cpuinfo.
QEMU_CPU = "cortex-a76"


def cache_dir() -> Path:
    """Where downloads live: $MOBILEVSR_ARM_CACHE, else ~/.cache/mobilevsr/arm (outside the repository)."""
    if os.environ.get("MOBILEVSR_ARM_CACHE"):
        return Path(os.environ["MOBILEVSR_ARM_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mobilevsr" / "arm"


def missing_tools() -> list[str]:
    """The host tools the ARM tests need that are not installed (apt: g++-aarch64-linux-gnu qemu-user cmake)."""
    tools = [f"{CROSS_PREFIX}-g++", f"{CROSS_PREFIX}-nm", "qemu-aarch64", "cmake"]
    return [t for t in tools if shutil.which(t) is None]


def fetch_litert() -> Path:
    """LiteRT's aarch64 libLiteRt.so from the ai-edge-litert wheel for manylinux_2_27_aarch64, downloaded by pip once.

    Returns the folder holding libLiteRt.so (and the wheel's other libraries, as installed on an ARM machine).
    """
    target = cache_dir() / f"ai_edge_litert-{LITERT_VERSION}-aarch64"
    library = target / "ai_edge_litert" / "libLiteRt.so"
    if library.exists():
        return library.parent
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--platform",
                        "manylinux_2_27_aarch64", "--python-version", "3.11", f"ai-edge-litert=={LITERT_VERSION}",
                        "-d", tmp, "-q"], check=True)
        (wheel,) = Path(tmp).glob("ai_edge_litert-*.whl")
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(wheel) as z:
            z.extractall(unpacked, [n for n in z.namelist() if n.startswith("ai_edge_litert/") and ".so" in n])
        unpacked.rename(target)  # appears only when complete
    return library.parent


def qemu_root(directory: Path) -> Path:
    """A qemu-user root (-L): the cross sysroot's libraries, and a /proc/cpuinfo describing the emulated core.

    This qemu (Debian 12: 7.2) passes the host's x86 /proc/cpuinfo through to the guest; LiteRT's CPU detection
    (XNNPACK's cpuinfo) finds no ARM core in it and crashes on a null pointer before the first model loads. qemu
    opens absolute paths under its -L root first, so the guest reads this file instead: one entry per host CPU
    (the guest sees the host's /sys CPU topology), each the Cortex-A76 that ``-cpu cortex-a76`` emulates (MIDR
    0x414fd0b1 and its feature list as Linux prints them).
    """
    directory.mkdir(parents=True, exist_ok=True)
    lib = directory / "lib"
    if not lib.exists():
        lib.symlink_to(CROSS_SYSROOT / "lib")
    (directory / "proc").mkdir(exist_ok=True)
    entry = ("processor\t: {n}\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
             "asimdhp cpuid asimdrdm lrcpc dcpop asimddp\nCPU implementer\t: 0x41\nCPU architecture: 8\n"
             "CPU variant\t: 0x4\nCPU part\t: 0xd0b\nCPU revision\t: 1\n\n")
    cpus = _possible_cpus()
    (directory / "proc" / "cpuinfo").write_text("".join(entry.format(n=n) for n in cpus))
    return directory


def _possible_cpus() -> list[int]:
    text = Path("/sys/devices/system/cpu/possible").read_text().strip()
    cpus: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        cpus.extend(range(int(first), int(last or first) + 1))
    return cpus


def java_home() -> Path | None:
    """A JDK (its include/ has jni.h), $JAVA_HOME first, else the one javac belongs to."""
    env = os.environ.get("JAVA_HOME")
    if env and (Path(env) / "include" / "jni.h").exists():
        return Path(env)
    javac = shutil.which("javac")
    home = Path(os.path.realpath(javac)).parents[1] if javac else None
    return home if home and (home / "include" / "jni.h").exists() else None


def cross_build(build_dir: Path, targets: list[str], jdk: Path | None = None, jobs: int = 2) -> Path:
    """Cross-builds `targets` for aarch64 with the toolchain file (C++ tests and tools on) into build_dir.

    With a JDK, the tree is cpp/jni's (the Android JNI bridge, which builds the core too), its jni.h taken from the
    host JDK (JNI headers do not depend on the CPU); without one, cpp/'s.
    """
    cpp = TOOLCHAIN_FILE.parents[1]
    configure = ["cmake", "-S", str(cpp / "jni" if jdk else cpp), "-B", str(build_dir),
                 f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAIN_FILE}", "-DCMAKE_BUILD_TYPE=Release",
                 "-DMOBILEVSR_BUILD_TESTS=ON", "-DMOBILEVSR_BUILD_TOOLS=ON"]
    if jdk:
        configure += [f"-DJAVA_INCLUDE_PATH={jdk / 'include'}", f"-DJAVA_INCLUDE_PATH2={jdk / 'include' / 'linux'}"]
    _run_build(configure)
    _run_build(["nice", "-n", "10", "cmake", "--build", str(build_dir), "-j", str(jobs), "--target", *targets])
    return build_dir


def _run_build(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def run_arm(root: Path, command: list[str], env: dict[str, str] | None = None,
            timeout: float = 1800) -> subprocess.CompletedProcess:
    """Runs an aarch64 binary under qemu-user with `root` as its root, niced (qemu is CPU-hungry)."""
    full_env = {k: v for k, v in os.environ.items() if k != "MOBILEVSR_MAX_ISA"}
    # Emulated, a model runs hundreds of times slower: the core's crash probe (one compile and run in a child process)
    # gets an hour instead of its 2 minutes.
    full_env["MOBILEVSR_PROBE_TIMEOUT_S"] = "3600"
    full_env.update(env or {})
    # Own process group: on a timeout every process goes, the core's forked probe child included.
    proc = subprocess.Popen(["nice", "-n", "10", "qemu-aarch64", "-cpu", QEMU_CPU, "-L", str(root), *command],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


if __name__ == "__main__":
    if sys.argv[1:] != ["fetch-litert"]:
        sys.exit("usage: python tests/arm/arm_env.py fetch-litert")
    print(fetch_litert() / "libLiteRt.so")
