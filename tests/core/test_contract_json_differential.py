"""The core's strict JSON reader and schema validator against Python's ``json`` and ``jsonschema`` (2020-12).

Contracts come from untrusted model files, so the C++ reader must agree with a reference on every document: the
documented and test contracts, then 500 generated ones (valid contracts with one field replaced, removed or added)
and their text mutated (leading zeros, lone surrogates, duplicate keys, stray characters, truncation).

Expected outcome of a text, from the references:
* not strict JSON (Python's parser with NaN/Infinity, duplicate keys, lone surrogates and overflow refused)
  -> "invalid JSON";
* JSON the schema rejects -> "invalid model contract at $...";
* JSON the schema accepts -> accepted, or refused by a rule the schema cannot express ("invalid model contract: ").
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

jsonschema = pytest.importorskip("jsonschema")
core = pytest.importorskip("mobilevsr_rt._core")

from fixtures.data import PUBLIC  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs" / "model-contract.md"
GENERATED = 500

REPLACEMENTS: list[Any] = [0, 1, 2, 4, 4.0, 4.5, -1, 9, 1e0, 255, 255.0, 1.0, 2.0, 1e300, -33, 32, 33, "4", "RGB",
                           "BGR", "stacked", "separate", "x", True, False, None, [], {}, [0], [-1, 0, 1], [0, 0],
                           [0.0, 1.0], [-1.5], list(range(65)), ["in"], ["a", "b"], [{"input": "s", "output": 1}],
                           {"input": 0}, {"tensors": ["t"], "layout": "stacked", "offsets": [0]}]


class NotStrictJson(ValueError):
    """The text is not JSON a strict reader accepts."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise NotStrictJson("duplicate key")
    return dict(pairs)


def _check_values(value: Any) -> None:
    if isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError
    elif isinstance(value, float) and not math.isfinite(value):
        raise NotStrictJson("number out of range")
    elif isinstance(value, list):
        for v in value:
            _check_values(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_values(k)
            _check_values(v)


def strict_loads(text: str) -> Any:
    """Python's JSON reader made as strict as RFC 8259 (what the core must implement)."""
    def refuse(name: str) -> Any:
        raise NotStrictJson(name)

    try:
        value = json.loads(text, parse_constant=refuse, object_pairs_hook=_no_duplicates)
        _check_values(value)
    except (ValueError, UnicodeEncodeError) as e:
        raise NotStrictJson(str(e)) from e
    return value


def expected_outcome(text: str, validator: Any) -> str:
    try:
        document = strict_loads(text)
    except NotStrictJson:
        return "invalid JSON"
    return "valid" if validator.is_valid(document) else "schema"


def core_outcome(text: str) -> tuple[str, str]:
    try:
        core.validate_contract(text)
    except ValueError as e:
        message = str(e)
        if message.startswith("invalid JSON"):
            return "invalid JSON", message
        if message.startswith("invalid model contract at $"):
            return "schema", message
        return "rule", message
    return "valid", ""


def _base_contracts() -> list[dict[str, Any]]:
    documented = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOCS.read_text(), re.S)]
    return [c for c in documented if "contract_version" in c] + [contract for contract, _, _ in PUBLIC.values()]


def _mutate_document(contract: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = json.loads(json.dumps(contract))
    target = doc
    if rng.random() < 0.5:  # one level down: a frame group, a state pair or the state list
        key = rng.choice([k for k in doc if isinstance(doc[k], (dict, list))] or list(doc))
        inner = doc[key]
        if isinstance(inner, list) and inner and isinstance(inner[0], dict):
            inner = inner[0]
        if isinstance(inner, dict):
            target = inner
    action = rng.random()
    key = rng.choice(list(target))
    if action < 0.6:
        target[key] = rng.choice(REPLACEMENTS)
    elif action < 0.8:
        del target[key]
    else:
        target[rng.choice(["extra", "Scale", "layout", "state", "name"])] = rng.choice(REPLACEMENTS)
    return doc


def _mutate_text(text: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:  # a leading zero before some number
        spots = [m.start() for m in re.finditer(r"(?<![\d.eE+-])-?\d", text)]
        if spots:
            at = rng.choice(spots)
            at += text[at] == "-"
            return text[:at] + "0" + text[at:]
    if kind == 1:  # a surrogate escape (lone, paired or reversed) inside a string
        escape = rng.choice([r"\ud800", r"\udfff", r"\ud83d\ude00", r"\ude00\ud83d", r"\ud800x", r"\u00e9"])
        quotes = [m.start() + 1 for m in re.finditer('"', text)]
        at = rng.choice(quotes)
        return text[:at] + escape + text[at:]
    if kind == 2:  # a duplicate key
        return text.replace('"scale": ', '"scale": 4, "scale": ', 1)
    if kind == 3:  # a stray character
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice(list(',:{}[]"0-e.+ ')) + text[at:]
    if kind == 4:  # a deleted character
        at = rng.randrange(len(text))
        return text[:at] + text[at + 1:]
    return text[: rng.randrange(len(text))]  # truncated


def _cases() -> list[str]:
    rng = random.Random(18)
    bases = _base_contracts()
    texts = [json.dumps(c) for c in bases] + [json.dumps(c, indent=2) for c in bases]
    while len(texts) < len(bases) * 2 + GENERATED:
        doc = _mutate_document(rng.choice(bases), rng)
        text = json.dumps(doc)
        texts.append(_mutate_text(text, rng) if rng.random() < 0.4 else text)
    return texts


def test_core_agrees_with_python_json_and_jsonschema() -> None:
    start = time.perf_counter()
    schema = json.loads(core.contract_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    texts = _cases()
    outcomes = {"valid": 0, "schema": 0, "invalid JSON": 0, "rule": 0}
    disagreements = []
    for text in texts:
        expected = expected_outcome(text, validator)
        got, message = core_outcome(text)
        outcomes[got] += 1
        if got != expected and not (expected == "valid" and got == "rule"):
            disagreements.append(f"{text}\n  expected {expected}, core: {got} {message}")
    assert not disagreements, f"{len(disagreements)} disagreement(s), first ones:\n" + "\n".join(disagreements[:5])
    # the generator must reach every outcome, else the comparison proves little
    assert min(outcomes.values()) >= 10, outcomes
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize(("text", "expected"), [
    ('{"scale": 01}', "invalid JSON"),
    ('{"name": "\\ud800"}', "invalid JSON"),
    ('{"name": "\\udc00x"}', "invalid JSON"),
    ('{"name": "\\ud83d\\ude00"}', "schema"),  # a valid pair: the JSON is fine, the contract misses fields
])
def test_core_strict_json_examples(text: str, expected: str) -> None:
    assert core_outcome(text)[0] == expected


def test_integral_float_is_an_integer() -> None:
    """JSON Schema 2020-12: 4.0 is an integer (json.dumps(4.0) writes it); 4.5 is not."""
    contract = dict(PUBLIC["swrn"][0])
    core.validate_contract(json.dumps({**contract, "scale": 4.0, "contract_version": 1.0}))
    with pytest.raises(ValueError, match="expected integer"):
        core.validate_contract(json.dumps({**contract, "scale": 4.5}))


def test_docs_and_core_use_the_schema_defaults() -> None:
    """The schema's "default" is the one definition of an optional field's value: the docs' table states it
    (checked here) and the core applies it (a contract without the field reads back with the schema's value)."""
    from mobilevsr_rt.contract import contract_defaults

    defaults = contract_defaults()
    assert set(defaults) == {"state", "pixel_range", "channel_order"}
    documented = dict(re.findall(r"^\| `(\w+)` \| no \(default `([^`]*)`\)", DOCS.read_text(), re.M))
    assert set(documented) == set(defaults)
    for name, value in defaults.items():
        assert documented[name] == (value if isinstance(value, str) else json.dumps(value)), name
    minimal = {k: v for k, v in PUBLIC["mai21_diggers"][0].items() if k not in defaults}
    core.validate_contract(json.dumps(minimal))
