from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.verify_sigil_request_data import VerifySigilRequestData


T = TypeVar("T", bound="VerifySigilRequest")


@_attrs_define
class VerifySigilRequest:
    """
    Attributes:
        id (str):  Example: sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P.
        signature (str | Unset): A signature the caller holds; compared in constant time (lowercase hex). Example:
            5d41402abc4b2a76b9719d911017c592ae5b0a3f1c9e8d7f6a5b4c3d2e1f0a9b.
        data (VerifySigilRequestData | Unset): Data the caller holds; its canonical digest is compared (key order does
            not matter). Example: {'amount': 42.5, 'invoice': 'INV-1001'}.
    """

    id: str
    signature: str | Unset = UNSET
    data: VerifySigilRequestData | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        signature = self.signature

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if signature is not UNSET:
            field_dict["signature"] = signature
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.verify_sigil_request_data import VerifySigilRequestData

        d = dict(src_dict)
        id = d.pop("id")

        signature = d.pop("signature", UNSET)

        _data = d.pop("data", UNSET)
        data: VerifySigilRequestData | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = VerifySigilRequestData.from_dict(_data)

        verify_sigil_request = cls(
            id=id,
            signature=signature,
            data=data,
        )

        return verify_sigil_request
