from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sigil_summary_version import SigilSummaryVersion, check_sigil_summary_version

if TYPE_CHECKING:
    from ..models.consciousness_state import ConsciousnessState
    from ..models.dna import Dna
    from ..models.sigil_metadata import SigilMetadata


T = TypeVar("T", bound="SigilSummary")


@_attrs_define
class SigilSummary:
    """A sigil without its `data` (list items).

    Attributes:
        id (str):  Example: sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P.
        tenant_id (str):  Example: acme.
        kid (str): Which signing secret signed it. Example: 3f9a1c2b.
        signature (str):  Example: 5d41402abc4b2a76b9719d911017c592ae5b0a3f1c9e8d7f6a5b4c3d2e1f0a9b.
        auth_hash (str):  Example: 0a1b2c3d4e5f6a7b.
        dna (Dna):
        consciousness_state (ConsciousnessState):
        metadata (SigilMetadata):
        created_at (datetime.datetime):  Example: 2026-11-26T22:40:00.123Z.
        created_by (str): The minting token’s `sub` (as long as a token within the 16 KiB header limit allows). Example:
            user-1.
        expires_at (datetime.datetime | None):
        revoked_at (datetime.datetime | None):
        revoked_by (None | str): The revoking token’s `sub`.
        revocation_reason (None | str):
        version (SigilSummaryVersion):  Example: 1.
    """

    id: str
    tenant_id: str
    kid: str
    signature: str
    auth_hash: str
    dna: Dna
    consciousness_state: ConsciousnessState
    metadata: SigilMetadata
    created_at: datetime.datetime
    created_by: str
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revoked_by: None | str
    revocation_reason: None | str
    version: SigilSummaryVersion
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        tenant_id = self.tenant_id

        kid = self.kid

        signature = self.signature

        auth_hash = self.auth_hash

        dna = self.dna.to_dict()

        consciousness_state = self.consciousness_state.to_dict()

        metadata = self.metadata.to_dict()

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        revoked_by: None | str
        revoked_by = self.revoked_by

        revocation_reason: None | str
        revocation_reason = self.revocation_reason

        version: int = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenantId": tenant_id,
                "kid": kid,
                "signature": signature,
                "authHash": auth_hash,
                "dna": dna,
                "consciousnessState": consciousness_state,
                "metadata": metadata,
                "createdAt": created_at,
                "createdBy": created_by,
                "expiresAt": expires_at,
                "revokedAt": revoked_at,
                "revokedBy": revoked_by,
                "revocationReason": revocation_reason,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.consciousness_state import ConsciousnessState
        from ..models.dna import Dna
        from ..models.sigil_metadata import SigilMetadata

        d = dict(src_dict)
        id = d.pop("id")

        tenant_id = d.pop("tenantId")

        kid = d.pop("kid")

        signature = d.pop("signature")

        auth_hash = d.pop("authHash")

        dna = Dna.from_dict(d.pop("dna"))

        consciousness_state = ConsciousnessState.from_dict(d.pop("consciousnessState"))

        metadata = SigilMetadata.from_dict(d.pop("metadata"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        created_by = d.pop("createdBy")

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expiresAt"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revokedAt"))

        def _parse_revoked_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revoked_by = _parse_revoked_by(d.pop("revokedBy"))

        def _parse_revocation_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revocation_reason = _parse_revocation_reason(d.pop("revocationReason"))

        version = check_sigil_summary_version(d.pop("version"))

        sigil_summary = cls(
            id=id,
            tenant_id=tenant_id,
            kid=kid,
            signature=signature,
            auth_hash=auth_hash,
            dna=dna,
            consciousness_state=consciousness_state,
            metadata=metadata,
            created_at=created_at,
            created_by=created_by,
            expires_at=expires_at,
            revoked_at=revoked_at,
            revoked_by=revoked_by,
            revocation_reason=revocation_reason,
            version=version,
        )

        sigil_summary.additional_properties = d
        return sigil_summary

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
