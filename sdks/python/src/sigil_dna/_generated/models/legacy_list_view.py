from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.legacy_sigil_view import LegacySigilView


T = TypeVar("T", bound="LegacyListView")


@_attrs_define
class LegacyListView:
    """
    Attributes:
        sigils (list[LegacySigilView]): The newest 10, newest first.
        total (float): How many sigils the tenant holds (a maintained count).
        current_identity (LegacySigilView):
    """

    sigils: list[LegacySigilView]
    total: float
    current_identity: LegacySigilView
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sigils = []
        for sigils_item_data in self.sigils:
            sigils_item = sigils_item_data.to_dict()
            sigils.append(sigils_item)

        total = self.total

        current_identity = self.current_identity.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sigils": sigils,
                "total": total,
                "currentIdentity": current_identity,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.legacy_sigil_view import LegacySigilView

        d = dict(src_dict)
        sigils = []
        _sigils = d.pop("sigils")
        for sigils_item_data in _sigils:
            sigils_item = LegacySigilView.from_dict(sigils_item_data)

            sigils.append(sigils_item)

        total = d.pop("total")

        current_identity = LegacySigilView.from_dict(d.pop("currentIdentity"))

        legacy_list_view = cls(
            sigils=sigils,
            total=total,
            current_identity=current_identity,
        )

        legacy_list_view.additional_properties = d
        return legacy_list_view

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
