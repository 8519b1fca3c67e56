"""Base of the rules that delete a parameter the target model rejects (DM203, DM204, DM205)."""

from __future__ import annotations

from typing import ClassVar, Iterable

import libcst as cst

from ..calls import ImageCall, images_receiver
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
        nested = [n for n in ctx.inside(argument.value, cst.Call) if images_receiver(n, ctx.catalog) is not None]
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

