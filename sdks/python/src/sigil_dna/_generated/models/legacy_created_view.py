from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.legacy_sigil_view import LegacySigilView


T = TypeVar("T", bound="LegacyCreatedView")


@_attrs_define
class LegacyCreatedView:
    """
    Attributes:
        success (bool):
        sigil (LegacySigilView):
    """

    success: bool
    sigil: LegacySigilView
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        sigil = self.sigil.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "sigil": sigil,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.legacy_sigil_view import LegacySigilView

        d = dict(src_dict)
        success = d.pop("success")

        sigil = LegacySigilView.from_dict(d.pop("sigil"))

        legacy_created_view = cls(
            success=success,
            sigil=sigil,
        )

        legacy_created_view.additional_properties = d
        return legacy_created_view

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
