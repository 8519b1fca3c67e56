"""The rule registry: every rule, in code order. Adding a rule means adding its module here."""

from __future__ import annotations

from typing import Dict, List

from .base import Invalid, Rule
from .dm101_retired_model import RetiredModel
from .dm102_deprecated_model import DeprecatedModel
from .dm103_implicit_model import ImplicitModel
from .dm104_unresolved_model import UnresolvedModel
from .dm105_retired_model_literal import RetiredModelLiteral
from .dm106_retired_model_in_config import RetiredModelInConfig
from .dm107_deprecated_model_in_config import DeprecatedModelInConfig
from .dm201_unsupported_size import UnsupportedSize
from .dm202_unsupported_quality import UnsupportedQuality
from .dm203_response_format import ResponseFormat
from .dm204_style import Style
from .dm205_input_fidelity import InputFidelity
from .dm206_parameter_range import ParameterRange
from .dm301_url_response import UrlResponse
from .dm302_revised_prompt import RevisedPrompt
from .dm401_legacy_api import LegacyApi
from .dm402_variation_endpoint import VariationEndpoint
from .dm403_azure_deployment import AzureDeployment
from .dm501_wrapper_library import WrapperLibrary
from .dm900_parse_error import ParseError

ALL_RULES: List[Rule] = [
    RetiredModel(),
    DeprecatedModel(),
    ImplicitModel(),
    UnresolvedModel(),
    RetiredModelLiteral(),
    RetiredModelInConfig(),
    DeprecatedModelInConfig(),
    UnsupportedSize(),
    UnsupportedQuality(),
    ResponseFormat(),
    Style(),
    InputFidelity(),
    ParameterRange(),
    UrlResponse(),
    RevisedPrompt(),
    LegacyApi(),
    VariationEndpoint(),
    AzureDeployment(),
    WrapperLibrary(),
    ParseError(),
]

RULES_BY_CODE: Dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Invalid", "Rule"]
