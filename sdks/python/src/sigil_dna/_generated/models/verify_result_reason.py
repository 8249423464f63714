from typing import Literal

VerifyResultReason = Literal[
    "data_mismatch", "expired", "not_found", "ok", "revoked", "signature_mismatch", "tampered", "unknown_key"
]

VERIFY_RESULT_REASON_VALUES: set[VerifyResultReason] = {
    "data_mismatch",
    "expired",
    "not_found",
    "ok",
    "revoked",
    "signature_mismatch",
    "tampered",
    "unknown_key",
}


def check_verify_result_reason(value: str) -> VerifyResultReason:
    if value in VERIFY_RESULT_REASON_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VERIFY_RESULT_REASON_VALUES!r}")
