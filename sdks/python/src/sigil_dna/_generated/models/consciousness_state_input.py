from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConsciousnessStateInput")


@_attrs_define
class ConsciousnessStateInput:
    """
    Attributes:
        phi (float | Unset):  Default: 1.618033988749895. Example: 1.618033988749895.
        coherence (float | Unset):  Default: 0.5. Example: 0.5.
        awareness (float | Unset):  Default: 0.5. Example: 0.5.
        resonance (float | Unset): Stored only when given.
    """

    phi: float | Unset = 1.618033988749895
    coherence: float | Unset = 0.5
    awareness: float | Unset = 0.5
    resonance: float | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        phi = self.phi

        coherence = self.coherence

        awareness = self.awareness

        resonance = self.resonance

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if phi is not UNSET:
            field_dict["phi"] = phi
        if coherence is not UNSET:
            field_dict["coherence"] = coherence
        if awareness is not UNSET:
            field_dict["awareness"] = awareness
        if resonance is not UNSET:
            field_dict["resonance"] = resonance

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        phi = d.pop("phi", UNSET)

        coherence = d.pop("coherence", UNSET)

        awareness = d.pop("awareness", UNSET)

        resonance = d.pop("resonance", UNSET)

        consciousness_state_input = cls(
            phi=phi,
            coherence=coherence,
            awareness=awareness,
            resonance=resonance,
        )

        return consciousness_state_input
