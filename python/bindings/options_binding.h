// Binds the core's options (SessionOptions, UpscalerOptions) and their modes (Accelerator, Fit, TileBatch).
#pragma once

#include <pybind11/pybind11.h>

void BindOptions(pybind11::module_& m);
