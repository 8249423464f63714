from typing import Literal

SigilVersion = Literal[1]

SIGIL_VERSION_VALUES: set[SigilVersion] = {
    1,
}


def check_sigil_version(value: int) -> SigilVersion:
    if value in SIGIL_VERSION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SIGIL_VERSION_VALUES!r}")
