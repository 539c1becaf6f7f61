"""Read and write the model contract stored in a .tflite file's metadata.

The contract's definition is the JSON schema shipped with the package (``model_contract.schema.json``, from
``cpp/contract/``); validation is done by the C++ core, the same code the runtime runs when it loads a model.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np

from .tflite_flatbuffer import PathOrBytes, as_str, read_flatbuffer, tfl, write_flatbuffer


@lru_cache(maxsize=1)
def contract_schema() -> dict[str, Any]:
    """Return the contract's JSON schema (the single definition shared with the C++ core)."""
    from . import _core

    return json.loads(_core.contract_schema())


def contract_defaults() -> dict[str, Any]:
    """Values of the optional fields a contract leaves out: the schema's ``"default"`` (their one definition)."""
    return {name: spec["default"] for name, spec in contract_schema()["properties"].items() if "default" in spec}


def metadata_key() -> str:
    """Name of the .tflite metadata entry that holds the contract."""
    return contract_schema()["x-metadata-key"]


def validate_contract(contract: dict[str, Any] | str) -> dict[str, Any]:
    """Validate a contract with the runtime's own validator; return it as a dict or raise ValueError."""
    from . import _core

    text = contract if isinstance(contract, str) else json.dumps(contract)
    _core.validate_contract(text)
    return json.loads(text)


def read_contract(model: PathOrBytes) -> dict[str, Any] | None:
    """Return the contract embedded in a .tflite (path or bytes), or None when it has none."""
    flat = read_flatbuffer(model)
    key = metadata_key()
    for entry in flat.metadata or []:
        if as_str(entry.name) == key:
            data = flat.buffers[entry.buffer].data
            return json.loads(bytes(np.asarray(data, dtype=np.uint8)).decode("utf-8"))
    return None


def embed_contract(model: PathOrBytes, contract: dict[str, Any]) -> bytes:
    """Return the model's bytes with ``contract`` stored in (or replacing) its contract metadata entry.

    The contract is validated first, so a model never carries a contract the runtime would reject.
    """
    contract = validate_contract(contract)
    flat = read_flatbuffer(model)
    key = metadata_key()
    payload = np.frombuffer(json.dumps(contract, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    for entry in flat.metadata or []:
        if as_str(entry.name) == key:
            flat.buffers[entry.buffer].data = payload
            break
    else:
        buffer = tfl.BufferT()
        buffer.data = payload
        flat.buffers.append(buffer)
        entry = tfl.MetadataT()
        entry.name = key
        entry.buffer = len(flat.buffers) - 1
        flat.metadata = [*(flat.metadata or []), entry]
    return write_flatbuffer(flat)
