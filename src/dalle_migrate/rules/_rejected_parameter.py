"""Base of the rules that delete a parameter the target model rejects (DM203, DM204, DM205)."""

from __future__ import annotations

import dataclasses

from typing import ClassVar, Iterable

import libcst as cst

from ..calls import ImageCall, Surface, images_receiver
from ..context import ModuleContext
from ..edits import delete_argument
from ..findings import Applicability, Finding
from ._common import accepts_keyword, method_name, parameter_rules
from .base import Rule


class RejectedParameter(Rule):
    parameter: ClassVar[str]
    advice: ClassVar[str]  # what to do instead, appended to the message
    judges_target_parameters = True
    judges_http_requests = True
    judges_tool_configs = True
    judges_wrapper_calls = True

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        argument = call.argument(self.parameter)
        if argument is None:
            return
        model, rules = parameter_rules(call, ctx)
        if rules is None:
            return
        rule = rules.get(self.parameter)
        if not accepts_keyword(call, ctx, self.parameter) and call.surface is Surface.RESPONSES_TOOL:
            why = f"The image_generation tool has no `{self.parameter}` field: the API rejects the request"
        elif not accepts_keyword(call, ctx, self.parameter):
            why = f"`{method_name(call)}` has no `{self.parameter}` parameter: the SDK raises TypeError"
        elif rule is not None and rule.error is not None:
            error = ctx.catalog.error(rule.error, param=self.parameter, model=model).message
            why = f"{model} rejects `{self.parameter}` (\"{error}\")"
        elif rule is None:
            why = f"{model} does not take `{self.parameter}`"
        else:
            return
        calls = ctx.inside(argument.value, cst.Call)
        nested = [n for n in calls if images_receiver(n, ctx.catalog) is not None]
        binding = ctx.inside(argument.value, cst.NamedExpr, cst.Yield)
        if nested or binding:
            # Deleting the argument would delete the request its value makes, a name it binds
            # (read later: NameError) or a value it yields.
            what = (
                f"its value makes an image request (`{ctx.excerpt(nested[0])}`); move that call out"
                if nested
                else f"its value {'binds a name' if isinstance(binding[0], cst.NamedExpr) else 'yields'} "
                f"(`{ctx.excerpt(binding[0])}`); move that out"
            )
            yield self.finding(
                ctx,
                argument.holder,
                f"{why}; {self.advice} Not removed automatically: {what}, then remove `{self.parameter}`.",
            )
            return
        message, fix_message, applicability = f"{why}; {self.advice}", f"Remove `{self.parameter}`", None
        if calls:
            # The value's calls would no longer run: a behaviour change, unless they only read.
            stopped = ctx.excerpt(calls[0])
            message += f" Removing it also stops `{stopped}` in its value from running."
            fix_message += f" (`{stopped}` in its value would no longer run)"
            applicability = Applicability.UNSAFE
        edit = delete_argument(ctx, argument.holder, argument.container)
        if argument.shadowed:
            # An earlier entry of the same name is exposed once this one goes: analysed again.
            edit = dataclasses.replace(edit, local=False)
        yield self.finding(ctx, argument.holder, message, fix_message, [edit], applicability=applicability)
