# Cross-build of cpp/ for aarch64 Linux with Debian's cross toolchain (apt-get install g++-aarch64-linux-gnu).
#   cmake -S cpp -B build-arm -DCMAKE_TOOLCHAIN_FILE=cpp/cmake/aarch64-linux-gnu.toolchain.cmake -DMOBILEVSR_BUILD_TESTS=ON
# The binaries run on this x86 machine under qemu-user: qemu-aarch64 -L /usr/aarch64-linux-gnu ./mobilevsr_core_tests
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(MOBILEVSR_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${MOBILEVSR_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MOBILEVSR_CROSS_TRIPLE}-g++)
# Debian's multiarch cross sysroot: headers and libraries of the target live under /usr/aarch64-linux-gnu.
set(CMAKE_FIND_ROOT_PATH /usr/${MOBILEVSR_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# ctest runs the target's binaries through qemu-user.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${MOBILEVSR_CROSS_TRIPLE})
