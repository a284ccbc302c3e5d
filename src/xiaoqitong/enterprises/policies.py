"""Who may do what with positions, applications and outcomes (to be completed with the app)."""

from xiaoqitong.core.policy import Policy, register

from .models import (
    Application,
    ApplicationEvent,
    GraduateOutcome,
    Position,
    PositionCertificate,
    PositionSkill,
)

for _model in (Position, PositionSkill, PositionCertificate, Application, ApplicationEvent, GraduateOutcome):
    register(_model)(type(f"{_model.__name__}Policy", (Policy,), {"rules": {}}))
