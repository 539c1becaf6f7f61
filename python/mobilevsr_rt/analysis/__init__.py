"""Pure-Python analysis of .tflite models: statistics and a static GPU-delegate compatibility check.

Depends only on numpy and ``ai_edge_litert`` (no TensorFlow, no compiled runtime core).
"""

from .flatbuffer_model import TfliteModel
from .gpu_rules import GpuIssue, check_gpu_compatibility
from .report import format_info
from .stats import analyze_model

__all__ = ["GpuIssue", "TfliteModel", "analyze_model", "check_gpu_compatibility", "format_info"]
