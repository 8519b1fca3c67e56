from __future__ import annotations

import re
from typing import Iterable, Optional

from ..calls import ImageCall
from ..catalog import DEPRECATED, RETIRED
from ..context import ModuleContext
from ..findings import Finding, Severity
from .base import Invalid, Rule


class AzureDeployment(Rule):
    """
    ## What it does
    Finds calls through an Azure OpenAI client (`AzureOpenAI`, `AsyncAzureOpenAI`, or the
    module-level client set to Azure) whose `model` - on Azure, a deployment name - looks like
    a retired or retiring model (`dall-e-3`, `my-dalle3-prod`, `gpt-image-1`...).

    ## Why
    On Azure, `model` names a deployment, not a model. A deployment of a retired model stops
    working, and renaming the string in code does not help: the deployment itself must be
    replaced in Azure with a gpt-image-2 deployment.

    Once the deployment serves a GPT image model, say so in the configuration
    (`[tool.dalle-migrate] azure-deployments = { "dalle3" = "gpt-image-2" }`): this rule is then
    quiet for it, and the other rules' fixes for its calls become safe.

    ## Fix safety
    This rule has no fix: only the Azure resource's owner knows the new deployment's name.
    """

    code = "DM403"
    name = "azure-deployment"
    severity = Severity.WARNING
    summary = "Azure deployment name looks like a retired model"
    fix_applicability = None
    VALID = [
        """
        from openai import AzureOpenAI
        client = AzureOpenAI(api_version="2025-04-01-preview")
        client.images.generate(model="image-prod", prompt="x")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import AzureOpenAI
            client = AzureOpenAI(api_version="2024-02-01")
            client.images.generate(model="my-dalle3-deployment", prompt="x")
            """
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        if not call.azure:
            return
        for value in call.model_values:
            if value.is_str:
                yield from self._check(ctx, value)

    def _check(self, ctx: ModuleContext, value) -> Iterable[Finding]:
        deployment = value.value
        # The configuration says what the deployment serves now; else its name is a hint.
        model = ctx.settings.deployment_model(deployment) or looks_like(ctx, deployment)
        if model is None:
            return
        status = ctx.catalog.status(model, ctx.settings.today)
        if status not in (RETIRED, DEPRECATED):
            return
        when = "was shut down on" if status == RETIRED else "shuts down on"
        looks = "serves" if ctx.settings.deployment_model(deployment) else "looks like"
        yield self.finding(
            ctx,
            value.node,
            f"Azure deployment '{deployment}' {looks} model '{model}', which {when} "
            f"{ctx.catalog.shutdown(model)}: deploy {ctx.settings.target} in Azure and use that "
            "deployment's name here.",
        )


def looks_like(ctx: ModuleContext, deployment: str) -> Optional[str]:
    """The catalogue model a deployment name spells, loosely (`dalle3`, `DALL_E_3`); longest wins."""
    name = deployment.lower()
    best = None
    for model_id in ctx.catalog.models:
        chunks = [re.escape(c) for c in model_id.lower().split("-")]
        pattern = r"(?<![a-z0-9])" + r"[-_ .]?".join(chunks) + r"(?![a-z0-9]|\.\d)"
        if re.search(pattern, name) and (best is None or len(model_id) > len(best)):
            best = model_id
    return best
