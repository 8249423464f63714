from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.verify_result_reason import VerifyResultReason, check_verify_result_reason

T = TypeVar("T", bound="VerifyResult")


@_attrs_define
class VerifyResult:
    """
    Attributes:
        valid (bool):  Example: True.
        reason (VerifyResultReason):  Example: ok.
        sigil_id (str):  Example: sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P.
        kid (None | str):  Example: 3f9a1c2b.
        checked_at (datetime.datetime):  Example: 2026-11-26T22:40:00.123Z.
    """

    valid: bool
    reason: VerifyResultReason
    sigil_id: str
    kid: None | str
    checked_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        valid = self.valid

        reason: str = self.reason

        sigil_id = self.sigil_id

        kid: None | str
        kid = self.kid

        checked_at = self.checked_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "valid": valid,
                "reason": reason,
                "sigilId": sigil_id,
                "kid": kid,
                "checkedAt": checked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        valid = d.pop("valid")

        reason = check_verify_result_reason(d.pop("reason"))

        sigil_id = d.pop("sigilId")

        def _parse_kid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        kid = _parse_kid(d.pop("kid"))

        checked_at = datetime.datetime.fromisoformat(d.pop("checkedAt"))

        verify_result = cls(
            valid=valid,
            reason=reason,
            sigil_id=sigil_id,
            kid=kid,
            checked_at=checked_at,
        )

        verify_result.additional_properties = d
        return verify_result

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
