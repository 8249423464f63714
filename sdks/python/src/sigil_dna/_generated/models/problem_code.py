from typing import Literal

ProblemCode = Literal[
    "CONFLICT",
    "FORBIDDEN",
    "INTERNAL",
    "NOT_FOUND",
    "PAYLOAD_TOO_LARGE",
    "RATE_LIMITED",
    "STORAGE_UNAVAILABLE",
    "UNAUTHORIZED",
    "VALIDATION_FAILED",
]

PROBLEM_CODE_VALUES: set[ProblemCode] = {
    "CONFLICT",
    "FORBIDDEN",
    "INTERNAL",
    "NOT_FOUND",
    "PAYLOAD_TOO_LARGE",
    "RATE_LIMITED",
    "STORAGE_UNAVAILABLE",
    "UNAUTHORIZED",
    "VALIDATION_FAILED",
}


def check_problem_code(value: str) -> ProblemCode:
    if value in PROBLEM_CODE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROBLEM_CODE_VALUES!r}")
