from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConsciousnessState")


@_attrs_define
class ConsciousnessState:
    """
    Attributes:
        phi (float):  Example: 1.618033988749895.
        coherence (float):  Example: 0.5.
        awareness (float):  Example: 0.5.
        resonance (float | Unset): Present only when it was given.
    """

    phi: float
    coherence: float
    awareness: float
    resonance: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phi = self.phi

        coherence = self.coherence

        awareness = self.awareness

        resonance = self.resonance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phi": phi,
                "coherence": coherence,
                "awareness": awareness,
            }
        )
        if resonance is not UNSET:
            field_dict["resonance"] = resonance

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        phi = d.pop("phi")

        coherence = d.pop("coherence")

        awareness = d.pop("awareness")

        resonance = d.pop("resonance", UNSET)

        consciousness_state = cls(
            phi=phi,
            coherence=coherence,
            awareness=awareness,
            resonance=resonance,
        )

        consciousness_state.additional_properties = d
        return consciousness_state

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
