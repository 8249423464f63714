"""Contains all the data models used in inputs/outputs"""

from .backup import Backup
from .consciousness_state import ConsciousnessState
from .consciousness_state_input import ConsciousnessStateInput
from .dna import Dna
from .encode_sigil_request import EncodeSigilRequest
from .encode_sigil_request_data import EncodeSigilRequestData
from .field_error import FieldError
from .health_status import HealthStatus
from .health_status_status import HealthStatusStatus
from .key_status import KeyStatus
from .legacy_created_view import LegacyCreatedView
from .legacy_encode_sigil_body import LegacyEncodeSigilBody
from .legacy_list_view import LegacyListView
from .legacy_sigil_view import LegacySigilView
from .legacy_v1_view import LegacyV1View
from .match_by_pattern_request import MatchByPatternRequest
from .match_by_sigil_request import MatchBySigilRequest
from .match_entry import MatchEntry
from .match_result import MatchResult
from .problem import Problem
from .problem_code import ProblemCode
from .readiness import Readiness
from .readiness_check import ReadinessCheck
from .readiness_check_status import ReadinessCheckStatus
from .readiness_details import ReadinessDetails
from .readiness_error import ReadinessError
from .readiness_info import ReadinessInfo
from .readiness_status import ReadinessStatus
from .revoke_sigil_request import RevokeSigilRequest
from .sigil import Sigil
from .sigil_data import SigilData
from .sigil_list import SigilList
from .sigil_metadata import SigilMetadata
from .sigil_metadata_input import SigilMetadataInput
from .sigil_summary import SigilSummary
from .sigil_summary_version import SigilSummaryVersion
from .sigil_version import SigilVersion
from .verify_result import VerifyResult
from .verify_result_reason import VerifyResultReason
from .verify_sigil_request import VerifySigilRequest
from .verify_sigil_request_data import VerifySigilRequestData

__all__ = (
    "Backup",
    "ConsciousnessState",
    "ConsciousnessStateInput",
    "Dna",
    "EncodeSigilRequest",
    "EncodeSigilRequestData",
    "FieldError",
    "HealthStatus",
    "HealthStatusStatus",
    "KeyStatus",
    "LegacyCreatedView",
    "LegacyEncodeSigilBody",
    "LegacyListView",
    "LegacySigilView",
    "LegacyV1View",
    "MatchByPatternRequest",
    "MatchBySigilRequest",
    "MatchEntry",
    "MatchResult",
    "Problem",
    "ProblemCode",
    "Readiness",
    "ReadinessCheck",
    "ReadinessCheckStatus",
    "ReadinessDetails",
    "ReadinessError",
    "ReadinessInfo",
    "ReadinessStatus",
    "RevokeSigilRequest",
    "Sigil",
    "SigilData",
    "SigilList",
    "SigilMetadata",
    "SigilMetadataInput",
    "SigilSummary",
    "SigilSummaryVersion",
    "SigilVersion",
    "VerifyResult",
    "VerifyResultReason",
    "VerifySigilRequest",
    "VerifySigilRequestData",
)
