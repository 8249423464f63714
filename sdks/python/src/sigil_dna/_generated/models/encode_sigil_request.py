from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.consciousness_state_input import ConsciousnessStateInput
    from ..models.encode_sigil_request_data import EncodeSigilRequestData
    from ..models.sigil_metadata_input import SigilMetadataInput


T = TypeVar("T", bound="EncodeSigilRequest")


@_attrs_define
class EncodeSigilRequest:
    """
    Attributes:
        data (EncodeSigilRequestData): Any JSON object with at least one key; its RFC 8785 canonical form is limited to
            SIGIL_MAX_DATA_BYTES (413 beyond). Example: {'invoice': 'INV-1001', 'amount': 42.5}.
        consciousness_state (ConsciousnessStateInput | Unset):
        metadata (SigilMetadataInput | Unset):
        expires_at (datetime.datetime | Unset): A future time after which verify answers `expired` (a time already past
            is a 400: the schema cannot say "future"). Example: 2030-01-01T00:00:00.000Z.
    """

    data: EncodeSigilRequestData
    consciousness_state: ConsciousnessStateInput | Unset = UNSET
    metadata: SigilMetadataInput | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        consciousness_state: dict[str, Any] | Unset = UNSET
        if not isinstance(self.consciousness_state, Unset):
            consciousness_state = self.consciousness_state.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data": data,
            }
        )
        if consciousness_state is not UNSET:
            field_dict["consciousnessState"] = consciousness_state
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if expires_at is not UNSET:
            field_dict["expiresAt"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.consciousness_state_input import ConsciousnessStateInput
        from ..models.encode_sigil_request_data import EncodeSigilRequestData
        from ..models.sigil_metadata_input import SigilMetadataInput

        d = dict(src_dict)
        data = EncodeSigilRequestData.from_dict(d.pop("data"))

        _consciousness_state = d.pop("consciousnessState", UNSET)
        consciousness_state: ConsciousnessStateInput | Unset
        if isinstance(_consciousness_state, Unset):
            consciousness_state = UNSET
        else:
            consciousness_state = ConsciousnessStateInput.from_dict(_consciousness_state)

        _metadata = d.pop("metadata", UNSET)
        metadata: SigilMetadataInput | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = SigilMetadataInput.from_dict(_metadata)

        _expires_at = d.pop("expiresAt", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        encode_sigil_request = cls(
            data=data,
            consciousness_state=consciousness_state,
            metadata=metadata,
            expires_at=expires_at,
        )

        return encode_sigil_request
