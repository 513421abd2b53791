"""Models: each module is one model's equilibrium conditions in changes, implementing the
`tradewar.models.base.Model` interface (see there for what a model provides)."""

from __future__ import annotations

from tradewar.errors import InputError
from tradewar.models import caliendo_parro, gravity, liberation_day, ossa
from tradewar.models.base import Model

MODELS: dict[str, Model] = {m.NAME: m for m in (caliendo_parro, ossa, liberation_day, gravity)}


def get_model(name: str) -> Model:
    """The model registered as `name`, or a one-line `InputError` naming the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(
            f"model.name: unknown model {name!r}; use one of {', '.join(sorted(MODELS))}",
            field="model.name",
        ) from None
