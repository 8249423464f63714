#!/usr/bin/env python3
"""Independent reference implementation of the Sigil-DNA signing contract (SPEC §5).

Writes two files next to this script:

  sigil-vectors.json   end-to-end vectors: inputs -> canonical data, digest, resonance pattern,
                       signing input, tenant key, signature, kid, authHash
  canonical-json.json  RFC 8785 (JCS) cases: JSON text -> canonical text

This file deliberately shares no code with the TypeScript implementation: JCS comes from the PyPI
package `rfc8785`, HKDF is written out per RFC 5869 with `hmac`, and the resonance pattern is recomputed
from the formula. Requires Python >= 3.9 and `pip install rfc8785`. `cryptography`, when installed, is
only used to cross-check the hand-written HKDF.

    python3 test/vectors/generate.py

The output is deterministic: rerunning it must leave both files unchanged (check with `git diff`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import struct
import unicodedata
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

try:
    import rfc8785
except ImportError:  # pragma: no cover - guidance only
    sys.exit("generate.py needs the rfc8785 package: pip install rfc8785")

HERE = Path(__file__).resolve().parent

HKDF_SALT = b"sigil-dna/v1"
KID_LABEL = b"sigil-dna/kid"
RESONANCE_LENGTH = 16
DEFAULT_STATE = {"phi": 1.618033988749895, "coherence": 0.5, "awareness": 0.5}
MAX_SAFE_INTEGER = 2**53 - 1
SIGIL_ID = re.compile(r"sigil_[0-9A-HJKMNP-TV-Z]{26}")


# --------------------------------------------------------------------------------------------------
# JSON as JavaScript sees it
# --------------------------------------------------------------------------------------------------


def parse_json_like_js(text: str) -> Any:
    """Parses JSON the way JSON.parse does: every number is an IEEE-754 double."""

    def reject(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_int=float, parse_constant=reject)


def jcs(value: Any) -> str:
    """RFC 8785 canonical JSON text (the package returns UTF-8 bytes)."""
    return rfc8785.dumps(value).decode("utf-8")


def js_view(value: Any) -> Any:
    """Integral doubles in the safe range are written as integers (1.0 -> 1), as JavaScript prints them.

    Only used for the readability of `expected` objects; -0.0 keeps its sign.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        if value == 0 and math.copysign(1.0, value) < 0:
            return value
        return int(value)
    if isinstance(value, list):
        return [js_view(v) for v in value]
    if isinstance(value, dict):
        return {k: js_view(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------------------
# SPEC §5
# --------------------------------------------------------------------------------------------------


def data_digest(canonical: str) -> str:
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def utf16_code_units(text: str) -> list[int]:
    raw = text.encode("utf-16-le")
    return [v for (v,) in struct.iter_unpack("<H", raw)]


def js_math_round(x: float) -> int:
    """JavaScript Math.round: the mathematical floor(x + 0.5), computed exactly (no float addition)."""
    return math.floor(Fraction(x) + Fraction(1, 2))


def round6(x: float) -> float:
    scaled = x * 1e6
    exact = js_math_round(scaled)
    # The brief's formulation; identical for every value in [0, 1e6] that occurs here.
    assert exact == math.floor(scaled + 0.5), f"rounding formulations disagree for {x!r}"
    return exact / 1e6


def resonance_pattern(canonical: str, state: dict[str, float]) -> tuple[list[float], list[int]]:
    units = utf16_code_units(canonical)
    phi, coherence, awareness = state["phi"], state["coherence"], state["awareness"]
    pattern: list[float] = []
    used: list[int] = []
    for i in range(RESONANCE_LENGTH):
        # Same association order as the specification's left-to-right formula.
        angle = i * phi * math.pi / 8
        unit = units[i % len(units)]
        r = math.sin(angle) * coherence + math.cos(angle) * awareness + 0.1 * (unit / 255)
        pattern.append(round6(min(1.0, max(0.0, r))))
        used.append(unit)
    return pattern, used


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869: extract then expand."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm = b""
    block = b""
    counter = 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def tenant_key(secret: bytes, tenant_id: str) -> bytes:
    key = hkdf_sha256(secret, HKDF_SALT, tenant_id.encode("utf-8"), 32)
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    except ImportError:
        return key
    check = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=tenant_id.encode("utf-8"))
    assert check.derive(secret) == key, "hand-written HKDF disagrees with cryptography's"
    return key


def kid_of(secret: bytes) -> str:
    return hmac.new(secret, KID_LABEL, hashlib.sha256).hexdigest()[:8]


def auth_hash(sigil_id: str, signature: str) -> str:
    return hashlib.sha256((sigil_id + signature).encode("utf-8")).hexdigest()[:16]


def with_defaults(given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    state = {key: given.get(key, default) for key, default in DEFAULT_STATE.items()}
    if given.get("resonance") is not None:
        state["resonance"] = given["resonance"]
    return state


def normalize_metadata(given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    return {key: given[key] for key in ("source", "version", "tags") if given.get(key) is not None}


def expected_for(inputs: dict[str, Any]) -> dict[str, Any]:
    # Work on the inputs exactly as a JavaScript reader of the written file sees them.
    seen = parse_json_like_js(json.dumps(inputs, ensure_ascii=False))
    secret = bytes.fromhex(seen["secretHex"])
    assert len(secret) == 32
    canonical = jcs(seen["data"])
    state = with_defaults(seen.get("consciousnessState"))
    metadata = normalize_metadata(seen.get("metadata"))
    expires_at = seen.get("expiresAt")
    digest = data_digest(canonical)
    pattern, units = resonance_pattern(canonical, state)
    signing_input = jcs(
        {
            "v": 1,
            "id": seen["id"],
            "tenantId": seen["tenantId"],
            "digest": digest,
            "resonancePattern": pattern,
            "consciousnessState": state,
            "metadata": metadata,
            "createdAt": seen["createdAt"],
            "expiresAt": expires_at,
        }
    )
    key = tenant_key(secret, seen["tenantId"])
    signature = hmac.new(key, signing_input.encode("utf-8"), hashlib.sha256).hexdigest()
    return {
        "canonicalData": canonical,
        "canonicalDataUtf16Length": len(utf16_code_units(canonical)),
        "consciousnessState": js_view(state),
        "metadata": metadata,
        "expiresAt": expires_at,
        "digest": digest,
        "resonanceCodeUnits": units,
        "resonancePattern": js_view(pattern),
        "signingInput": signing_input,
        "tenantKeyHex": key.hex(),
        "signature": signature,
        "kid": kid_of(secret),
        "authHash": auth_hash(seen["id"], signature),
    }


# --------------------------------------------------------------------------------------------------
# Vectors
# --------------------------------------------------------------------------------------------------

SECRET_A = bytes(range(32)).hex()  # 000102...1f
SECRET_B = hashlib.sha256(b"sigil-dna test vector secret B").hexdigest()
SECRET_C = hashlib.sha256(b"sigil-dna test vector secret C").hexdigest().upper()

VECTOR_INPUTS: list[dict[str, Any]] = [
    {
        "name": "defaults",
        "description": "No consciousnessState, metadata or expiresAt: every default applies.",
        "inputs": {
            "secretHex": SECRET_A,
            "tenantId": "acme",
            "id": "sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P",
            "createdAt": "2024-11-20T10:15:30.123Z",
            "data": {"invoice": "INV-1001", "amount": 42.5, "currency": "EUR"},
        },
    },
    {
        "name": "explicit-state-with-resonance",
        "description": "Every consciousnessState field given, including the optional resonance.",
        "inputs": {
            "secretHex": SECRET_A,
            "tenantId": "acme",
            "id": "sigil_01JD3QA0000000000000000001",
            "createdAt": "2024-11-20T10:15:31.000Z",
            "data": {"event": "deploy", "service": "api", "build": 731},
            "consciousnessState": {"phi": 1.5, "coherence": 0.8, "awareness": 0.3, "resonance": 0.75},
        },
    },
    {
        "name": "metadata-and-partial-state",
        "description": "metadata with source, version and tags; only coherence given (phi and awareness default).",
        "inputs": {
            "secretHex": SECRET_B,
            "tenantId": "globex",
            "id": "sigil_01JD3QB1C2D3E4F5G6H7J8K9M0",
            "createdAt": "2025-01-02T03:04:05.006Z",
            "data": {"document": "contract-7", "pages": 12, "signed": True},
            "consciousnessState": {"coherence": 0.7},
            "metadata": {"tags": ["legal", "q1", "contract"], "source": "docs-service", "version": "2.1.0"},
        },
    },
    {
        "name": "expires-at",
        "description": "expiresAt given (ISO-8601 with milliseconds, UTC); it is part of the signed input.",
        "inputs": {
            "secretHex": SECRET_B,
            "tenantId": "globex",
            "id": "sigil_01JD3QC00000000000000000ZZ",
            "createdAt": "2025-01-02T03:04:05.006Z",
            "data": {"ticket": "T-42", "seat": "12A"},
            "metadata": {"source": "box-office"},
            "expiresAt": "2030-12-31T23:59:59.999Z",
        },
    },
    {
        "name": "unicode",
        "description": (
            "Non-ASCII data. Keys sort by UTF-16 code units (U+1F600 as D83D DE00 sorts before U+FB33 "
            "and U+FF5A, unlike code point order); the emoji in the first 16 positions contribute two "
            "code units each to the resonance pattern. Secret given in upper-case hex."
        ),
        "inputs": {
            "secretHex": SECRET_C,
            "tenantId": "tenant.unicode_01",
            "id": "sigil_01JD3QD7NR5W1ACXGKQ8VT0SZE",
            "createdAt": "2024-02-29T12:00:00.000Z",
            "data": {
                "a😀🎉": "grinning face, party popper",
                "\uff5a": "fullwidth z",
                "\ufb33": "Hebrew Letter Dalet With Dagesh",
                "\U0001f600": "Emoji: Grinning Face",
                "\u20ac": "Euro Sign",
                "\u00f6": "Latin Small Letter O With Diaeresis",
                "\u0080": "Control",
                "text": "naïve café – Zürich 東京 😀",
            },
            "metadata": {"tags": ["ünïcödé", "東京"]},
        },
    },
    {
        "name": "jcs-numbers",
        "description": (
            "Numbers that need ECMAScript/JCS formatting: 1e21 and above switch to exponent form, "
            "1e20 does not; 0.1+0.2; -0 serializes as 0; 2^53+1 is not a double and reads as 2^53; "
            "small magnitudes switch to exponent form below 1e-6."
        ),
        "inputs": {
            "secretHex": SECRET_A,
            "tenantId": "acme",
            "id": "sigil_01JD3QE0000000000000000NMB",
            "createdAt": "2024-11-20T10:15:32.500Z",
            "data": {
                "e21": 10**21,
                "e20": 10**20,
                "sum": 0.1 + 0.2,
                "negZero": -0.0,
                "maxSafe": 2**53 - 1,
                "beyondSafe": 2**53 + 1,
                "micro": 0.000001,
                "tenthMicro": 0.0000001,
                "negTiny": -1.5e-10,
                "third": 1 / 3,
                "big": 1.7976931348623157e308,
                "whole": 100.0,
                "ints": [0, -1, 10, 12345678901234567890],
            },
        },
    },
    {
        "name": "nested",
        "description": "Nested objects and arrays, empty containers, null/true/false and escaped strings.",
        "inputs": {
            "secretHex": SECRET_B,
            "tenantId": "globex",
            "id": "sigil_01JD3QF0000000000000000NST",
            "createdAt": "2025-06-30T23:59:59.999Z",
            "data": {
                "order": {
                    "lines": [
                        {"sku": "A-1", "qty": 2, "tags": []},
                        {"sku": "B-2", "qty": 1, "attrs": {"z": None, "a": True, "m": [1, [2, [3, {}]]]}},
                    ],
                    "customer": {"name": "Ada", "address": {"zip": "8001", "city": "Zürich"}},
                },
                "flags": [True, False, None],
                "empty": {},
                "emptyList": [],
                "escapes": 'line1\nline2\t"quoted" \\ back / slash \u0007 \u001f \u007f \u2028',
                "10": "integer-like keys sort as strings",
                "9": "after 10",
            },
            "consciousnessState": {"phi": 3.14159, "awareness": 0.25},
        },
    },
    {
        "name": "two-tenants-a",
        "description": "Same secret, id, time and data as two-tenants-b; only the tenant differs.",
        "inputs": {
            "secretHex": SECRET_A,
            "tenantId": "tenant-a",
            "id": "sigil_01JD3QG0000000000000000TWN",
            "createdAt": "2024-12-24T18:00:00.000Z",
            "data": {"shared": "payload", "n": 1},
        },
    },
    {
        "name": "two-tenants-b",
        "description": "Same secret, id, time and data as two-tenants-a; a different tenant key and signature.",
        "inputs": {
            "secretHex": SECRET_A,
            "tenantId": "tenant-b",
            "id": "sigil_01JD3QG0000000000000000TWN",
            "createdAt": "2024-12-24T18:00:00.000Z",
            "data": {"shared": "payload", "n": 1},
        },
    },
    {
        "name": "clamp-both-ends",
        "description": (
            "phi 2, coherence 1, awareness 1: angles are multiples of pi/4, so r reaches about 1.41+ "
            "(clamped to 1) and about -1.41 (clamped to 0)."
        ),
        "inputs": {
            "secretHex": SECRET_A,
            "tenantId": "acme",
            "id": "sigil_01JD3QH0000000000000000CMP",
            "createdAt": "2024-11-20T10:15:33.000Z",
            "data": {"k": "v"},
            "consciousnessState": {"phi": 2, "coherence": 1, "awareness": 1},
        },
    },
    {
        "name": "code-units-only",
        "description": (
            "phi 0, coherence 0, awareness 0: r = 0.1 * codeUnit / 255, exposing which code unit each "
            "index reads. canonical data is 7 code units long, so i mod 7 wraps around."
        ),
        "inputs": {
            "secretHex": SECRET_B,
            "tenantId": "public",
            "id": "sigil_01JD3QJ0000000000000000WRP",
            "createdAt": "2024-11-20T10:15:34.000Z",
            "data": {"a": 1},
            "consciousnessState": {"phi": 0, "coherence": 0, "awareness": 0},
            "metadata": {"version": "0.0.1", "tags": []},
        },
    },
]

SPEC = {
    "section": "SPEC §5",
    "canonicalJson": "RFC 8785 (JCS)",
    "digest": '"sha256:" + lowercase hex SHA-256 of UTF-8 canonical(data)',
    "resonancePattern": (
        "for i in 0..15: angle = i*phi*pi/8; r = sin(angle)*coherence + cos(angle)*awareness + "
        "0.1*(u/255) where u is the UTF-16 code unit canonical(data)[i mod length(in code units)]; clamp "
        "to [0,1]; round to 6 decimals as Math.round(r*1e6)/1e6"
    ),
    "consciousnessStateDefaults": DEFAULT_STATE,
    "consciousnessStateResonance": "present only when given",
    "metadata": "source, version, tags as given (tags copied); {} when absent",
    "expiresAt": "ISO-8601 with milliseconds in UTC as given, or null",
    "secret": "the 32 bytes that the 64 hex characters encode (either case)",
    "tenantKey": 'HKDF-SHA256(ikm = secret bytes, salt = "sigil-dna/v1", info = UTF-8 tenantId, L = 32)',
    "signingInput": (
        "canonical JSON of {v: 1, id, tenantId, digest, resonancePattern, consciousnessState, metadata, "
        "createdAt, expiresAt}"
    ),
    "signature": "lowercase hex HMAC-SHA256(tenant key, UTF-8 signingInput)",
    "kid": 'first 8 hex characters of HMAC-SHA256(secret bytes, "sigil-dna/kid")',
    "authHash": "first 16 hex characters of SHA-256(UTF-8 of id + signature)",
}


def build_sigil_vectors() -> dict[str, Any]:
    vectors = []
    for v in VECTOR_INPUTS:
        inputs = dict(v["inputs"])
        assert SIGIL_ID.fullmatch(inputs["id"]), f"{inputs['id']} is not sigil_ + 26 Crockford base32 characters"
        inputs.setdefault("expiresAt", None)
        vectors.append(
            {
                "name": v["name"],
                "description": v["description"],
                "inputs": inputs,
                "expected": expected_for(inputs),
            }
        )
    a, b = (next(x for x in vectors if x["name"] == n) for n in ("two-tenants-a", "two-tenants-b"))
    assert a["expected"]["digest"] == b["expected"]["digest"]
    assert a["expected"]["tenantKeyHex"] != b["expected"]["tenantKeyHex"]
    assert a["expected"]["signature"] != b["expected"]["signature"]
    clamp = next(x for x in vectors if x["name"] == "clamp-both-ends")["expected"]["resonancePattern"]
    assert 0 in clamp and 1 in clamp, clamp
    return {
        "description": (
            "Sigil-DNA signing test vectors, generated by test/vectors/generate.py (an independent "
            "Python implementation). Each vector gives the inputs of one sigil and every derived value. "
            "Numbers in inputs.data are read as IEEE-754 doubles, as JSON.parse reads them."
        ),
        "spec": SPEC,
        "vectors": vectors,
    }


# --------------------------------------------------------------------------------------------------
# RFC 8785 cases
# --------------------------------------------------------------------------------------------------

RFC_3_2_2_INPUT = """{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
  "literals": [null, true, false]
}"""
RFC_3_2_2_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)

RFC_3_2_3_INPUT = """{
  "\\u20ac": "Euro Sign",
  "\\r": "Carriage Return",
  "\\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\\ud83d\\ude00": "Emoji: Grinning Face",
  "\\u0080": "Control",
  "\\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC_3_2_3_OUTPUT = (
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",'
    '"\u20ac":"Euro Sign","\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
)

# RFC 8785 Appendix B, "Number Serialization Samples" (finite entries; NaN and Infinity must be
# rejected and have no JSON text).
APPENDIX_B = [
    ("0000000000000000", "0", "Zero"),
    ("8000000000000000", "0", "Minus zero"),
    ("0000000000000001", "5e-324", "Min pos number"),
    ("8000000000000001", "-5e-324", "Min neg number"),
    ("7fefffffffffffff", "1.7976931348623157e+308", "Max pos number"),
    ("ffefffffffffffff", "-1.7976931348623157e+308", "Max neg number"),
    ("4340000000000000", "9007199254740992", "Max pos int"),
    ("c340000000000000", "-9007199254740992", "Max neg int"),
    ("4430000000000000", "295147905179352830000", "~2**68"),
    ("44b52d02c7e14af5", "9.999999999999997e+22", ""),
    ("44b52d02c7e14af6", "1e+23", ""),
    ("44b52d02c7e14af7", "1.0000000000000001e+23", ""),
    ("444b1ae4d6e2ef4e", "999999999999999700000", ""),
    ("444b1ae4d6e2ef4f", "999999999999999900000", ""),
    ("444b1ae4d6e2ef50", "1e+21", ""),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7", ""),
    ("3eb0c6f7a0b5ed8d", "0.000001", ""),
    ("41b3de4355555553", "333333333.3333332", ""),
    ("41b3de4355555554", "333333333.33333325", ""),
    ("41b3de4355555555", "333333333.3333333", ""),
    ("41b3de4355555556", "333333333.3333334", ""),
    ("41b3de4355555557", "333333333.33333343", ""),
    ("becbf647612f3696", "-0.0000033333333333333333", ""),
    ("43143ff3c1cb0959", "1424953923781206.2", "Round to even"),
]

EXTRA_CASES = [
    ("empty-object", "{ }", "{}", "Whitespace is removed."),
    ("empty-array", "[ ]", "[]", ""),
    ("top-level-string", '"caf\\u00e9"', '"caf\u00e9"', "Non-ASCII is written as itself, not escaped."),
    ("top-level-true", "true", "true", ""),
    ("top-level-null", "null", "null", ""),
    ("whole-double", "1.0", "1", "Integral doubles print without a fraction."),
    ("exponent-forms", "[1E2, 1e-7, 12e20, 123e-9, -0.0]", "[100,1e-7,1.2e+21,1.23e-7,0]", ""),
    ("beyond-2^53", "9007199254740993", "9007199254740992", "Not a double; parses to 2^53."),
    (
        "integer-like-keys",
        '{"b": 1, "10": 2, "9": 3, "a": 4, "": 5}',
        '{"":5,"10":2,"9":3,"a":4,"b":1}',
        "Keys sort as strings, not in JavaScript's integer-key property order.",
    ),
    (
        "nested-sorting",
        '{"z": {"y": [3, {"b": 2, "a": 1}], "x": null}, "a": [{"d": true, "c": false}]}',
        '{"a":[{"c":false,"d":true}],"z":{"x":null,"y":[3,{"a":1,"b":2}]}}',
        "Members sort at every depth; array order is kept.",
    ),
    (
        "string-escapes",
        '"\\u0000\\u0008\\u0009\\u000a\\u000c\\u000d\\u001f\\u0020\\u007f\\u2028\\u2029\\/\\"\\\\"',
        '"\\u0000\\b\\t\\n\\f\\r\\u001f \u007f\u2028\u2029/\\"\\\\"',
        "Only controls below U+0020, quote and backslash are escaped; short forms where JSON has them.",
    ),
    (
        "prefix-keys",
        '{"ab": 1, "a": 2, "aa": 3, "B": 4}',
        '{"B":4,"a":2,"aa":3,"ab":1}',
        "A key sorts before the keys it prefixes; upper case before lower case.",
    ),
    (
        "proto-key",
        '{"__proto__": {"x": 1}, "a": 0}',
        '{"__proto__":{"x":1},"a":0}',
        "A member named __proto__ is ordinary data.",
    ),
]

INVALID_CASES = [
    ("lone-high-surrogate", '"\\ud800"', "Lone surrogates are not I-JSON."),
    ("lone-low-surrogate-in-key", '{"\\udc00": 1}', "Lone surrogates are not I-JSON."),
]


def check_case(text: str, expected: str) -> None:
    actual = jcs(parse_json_like_js(text))
    assert actual == expected, f"rfc8785 gives {actual!r} for {text!r}, expected {expected!r}"


def build_canonical_cases() -> dict[str, Any]:
    cases = [
        {
            "name": "rfc8785-3.2.2-primitives",
            "source": "RFC 8785 §3.2.2 (serialization of primitive data types)",
            "input": RFC_3_2_2_INPUT,
            "expected": RFC_3_2_2_OUTPUT,
        },
        {
            "name": "rfc8785-3.2.3-sorting",
            "source": "RFC 8785 §3.2.3 (sorting of object properties by UTF-16 code units)",
            "input": RFC_3_2_3_INPUT,
            "expected": RFC_3_2_3_OUTPUT,
        },
    ]
    for hex_bits, expected, label in APPENDIX_B:
        (double,) = struct.unpack(">d", bytes.fromhex(hex_bits))
        text = "-0" if hex_bits == "8000000000000000" else repr(double)
        parsed = parse_json_like_js(text)
        assert struct.pack(">d", parsed).hex() == hex_bits, (hex_bits, text)
        cases.append(
            {
                "name": f"rfc8785-appendix-b-{hex_bits}",
                "source": "RFC 8785 Appendix B" + (f" ({label})" if label else ""),
                "ieee754Hex": hex_bits,
                "input": text,
                "expected": expected,
            }
        )
    for name, text, expected, note in EXTRA_CASES:
        case = {"name": name, "source": "Sigil-DNA", "input": text, "expected": expected}
        if note:
            case["note"] = note
        cases.append(case)
    for case in cases:
        check_case(case["input"], case["expected"])

    invalid = []
    for name, text, note in INVALID_CASES:
        try:
            jcs(parse_json_like_js(text))
        except (rfc8785.CanonicalizationError, UnicodeEncodeError):
            pass
        else:
            raise AssertionError(f"rfc8785 accepted {text!r}")
        invalid.append({"name": name, "input": text, "note": note})

    return {
        "description": (
            "RFC 8785 (JCS) cases: `input` is a JSON text (parse it with an ordinary JSON parser that "
            "reads numbers as IEEE-754 doubles), `expected` the canonical text. `invalid` inputs parse "
            "but must be refused by the canonicalizer. Generated by test/vectors/generate.py."
        ),
        "cases": cases,
        "invalid": invalid,
    }


# Characters that are legal raw in JSON strings but invisible or confusing in an editor.
INVISIBLE = re.compile("[\u007f-\u009f\u00ad\u2028\u2029\ufeff]")


PRINT_WIDTH = 110  # the repository's Prettier printWidth


def display_width(text: str) -> int:
    """Columns as Prettier counts them: East Asian wide characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text
    )


def scalar_text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        # Exponents as Prettier writes them: 1e-06 -> 1e-6, 1e+308 -> 1e308 (same value).
        return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", text)
    return INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def inline_json(value: Any) -> str | None:
    """The one-line form of a value, or None when it holds a non-empty object (always expanded)."""
    if isinstance(value, dict):
        return "{}" if not value else None
    if isinstance(value, list):
        parts = [inline_json(v) for v in value]
        return None if any(p is None for p in parts) else "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
    return scalar_text(value)


def format_json(value: Any, indent: int = 0, column: int = 0, trailer: int = 0) -> str:
    """2-space JSON laid out as Prettier lays it out.

    Objects are always expanded; an array of scalars goes on one line when it fits, and an array of
    numbers that does not fit is filled line by line. `column` is where the value starts, `trailer`
    the width of what follows it on the line (a comma).
    """
    pad = " " * indent
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = list(value.items())
        lines = []
        for n, (key, item) in enumerate(items):
            head = f"{inner}{scalar_text(key)}: "
            comma = "," if n < len(items) - 1 else ""
            lines.append(head + format_json(item, indent + 2, display_width(head), len(comma)) + comma)
        return "{\n" + "\n".join(lines) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        flat = inline_json(value)
        if flat is not None and column + display_width(flat) + trailer <= PRINT_WIDTH:
            return flat
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            rows: list[str] = []
            row = ""
            for n, v in enumerate(value):
                piece = scalar_text(v)
                candidate = f"{row}, {piece}" if row else piece
                comma = 1 if n < len(value) - 1 else 0
                if row and indent + 2 + display_width(candidate) + comma > PRINT_WIDTH:
                    rows.append(row)
                    candidate = piece
                row = candidate
            rows.append(row)
            return "[\n" + ",\n".join(inner + r for r in rows) + "\n" + pad + "]"
        lines = []
        for n, item in enumerate(value):
            comma = "," if n < len(value) - 1 else ""
            lines.append(inner + format_json(item, indent + 2, indent + 2, len(comma)) + comma)
        return "[\n" + "\n".join(lines) + "\n" + pad + "]"
    return scalar_text(value)


def write_json(path: Path, value: Any) -> None:
    """UTF-8, 2-space JSON in Prettier's layout; invisible characters as \\u escapes (same parsed value)."""
    text = format_json(value)
    assert json.loads(text) == json.loads(json.dumps(value)), "formatter changed the value"
    path.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    sigil = build_sigil_vectors()
    canonical = build_canonical_cases()
    write_json(HERE / "sigil-vectors.json", sigil)
    write_json(HERE / "canonical-json.json", canonical)
    print(f"wrote {len(sigil['vectors'])} sigil vectors and {len(canonical['cases'])} canonical JSON cases")


if __name__ == "__main__":
    main()
