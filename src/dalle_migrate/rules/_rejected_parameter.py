"""Base of the rules that delete a parameter the target model rejects (DM203, DM204, DM205)."""

from __future__ import annotations

from typing import ClassVar, Iterable

import libcst as cst

from ..calls import ImageCall
from ..context import ModuleContext
from ..edits import delete_argument
from ..findings import Finding
from ._common import accepts_keyword, method_name, parameter_rules
from .base import Rule


class RejectedParameter(Rule):
    parameter: ClassVar[str]
    advice: ClassVar[str]  # what to do instead, appended to the message

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        argument = call.argument(self.parameter)
        if argument is None:
            return
        model, rules = parameter_rules(call, ctx)
        if rules is None:
            return
        rule = rules.get(self.parameter)
        if not accepts_keyword(call, ctx, self.parameter):
            why = f"`{method_name(call)}` has no `{self.parameter}` parameter: the SDK raises TypeError"
        elif rule is not None and rule.error is not None:
            error = ctx.catalog.error(rule.error, param=self.parameter, model=model).message
            why = f"{model} rejects `{self.parameter}` (\"{error}\")"
        elif rule is None:
            why = f"{model} does not take `{self.parameter}`"
        else:
            return
        nested = [n for n in ctx.inside(argument.value, cst.Call) if _shaped_like_image_call(n, ctx)]
        if nested:
            # Deleting the argument would delete the request its value makes.
            yield self.finding(
                ctx,
                argument.holder,
                f"{why}; {self.advice} Not removed automatically: its value makes an image request "
                f"(`{ctx.code(nested[0])}`); move that call out, then remove `{self.parameter}`.",
            )
            return
        yield self.finding(
            ctx,
            argument.holder,
            f"{why}; {self.advice}",
            f"Remove `{self.parameter}`",
            [delete_argument(ctx, argument.holder, argument.container)],
        )


def _shaped_like_image_call(node: cst.Call, ctx: ModuleContext) -> bool:
    """``<anything>.images.<method>(...)``: whoever the receiver is, deleting it drops a request."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in ctx.catalog.methods:
        return False
    base = func.value
    if isinstance(base, cst.Attribute) and base.attr.value in ctx.catalog.sdk.response_wrappers:
        base = base.value
    return isinstance(base, cst.Attribute) and base.attr.value == ctx.catalog.sdk.images_attribute
