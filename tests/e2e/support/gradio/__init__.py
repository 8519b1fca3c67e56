"""Gradio, as far as an app that offers image settings needs it, with users who try every choice.

``Dropdown`` and ``Radio`` keep their ``choices`` and the ``value`` shown first, which must be one
of them (Gradio refuses a value outside its choices); ``Textbox`` keeps its value. ``Interface(fn,
inputs=[...])`` and ``Button.click(fn, inputs=[...])`` record the handler. ``launch()`` stands in
for the users: it calls each handler once for every combination of the choices its inputs offer
(a Textbox gives its value), in order, so every choice the app offers reaches the API.
"""

import itertools

_handlers = []


class _Component:
    def __init__(self, value=None, label=None, **kwargs):
        self.value = value
        self.label = label

    def offered(self):
        return [self.value]


class Textbox(_Component):
    pass


class _Chooser(_Component):
    def __init__(self, choices=None, value=None, label=None, **kwargs):
        super().__init__(value=value, label=label)
        self.choices = list(choices or [])
        if value is not None and value not in self.choices:
            raise ValueError(f"Value: {value!r} is not in the list of choices: {self.choices}")

    def offered(self):
        return list(self.choices)


class Dropdown(_Chooser):
    pass


class Radio(_Chooser):
    pass


class Button(_Component):
    def click(self, fn, inputs=None, outputs=None, **kwargs):
        _handlers.append((fn, list(inputs or [])))


class Blocks:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def launch(self, **kwargs):
        return _launch()


class Interface:
    def __init__(self, fn, inputs=None, outputs=None, **kwargs):
        _handlers.append((fn, list(inputs or [])))

    def launch(self, **kwargs):
        return _launch()


def _launch():
    for fn, inputs in _handlers:
        for values in itertools.product(*(component.offered() for component in inputs)):
            fn(*values)
