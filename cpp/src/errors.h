// Error types of the core. Each face maps them to its platform's exceptions (Python: ValueError, RuntimeError,
// FileNotFoundError; Java: IllegalArgumentException, IllegalStateException...).
#pragma once

#include <stdexcept>
#include <string>

namespace mobilevsr {

// The caller passed something wrong: a frame, a contract, a model file that is not a usable model.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A file that does not exist.
class FileNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Anything that failed at run time: LiteRT errors, missing libraries or accelerators, use after close.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mobilevsr
