from typing import Literal

ReadinessCheckStatus = Literal["down", "up"]

READINESS_CHECK_STATUS_VALUES: set[ReadinessCheckStatus] = {
    "down",
    "up",
}


def check_readiness_check_status(value: str) -> ReadinessCheckStatus:
    if value in READINESS_CHECK_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {READINESS_CHECK_STATUS_VALUES!r}")
