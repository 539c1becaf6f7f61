"""mobilevsr runtime: real-time video super-resolution with LiteRT, on the GPU or the CPU."""

from .contract import embed_contract, read_contract, validate_contract
from .upscaler import Upscaler

__all__ = ["Upscaler", "embed_contract", "read_contract", "validate_contract"]
__version__ = "0.1.0"
