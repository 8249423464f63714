from typing import Literal

SigilSummaryVersion = Literal[1]

SIGIL_SUMMARY_VERSION_VALUES: set[SigilSummaryVersion] = {
    1,
}


def check_sigil_summary_version(value: int) -> SigilSummaryVersion:
    if value in SIGIL_SUMMARY_VERSION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SIGIL_SUMMARY_VERSION_VALUES!r}")
